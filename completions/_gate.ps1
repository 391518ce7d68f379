
using namespace System.Management.Automation
using namespace System.Management.Automation.Language

Register-ArgumentCompleter -Native -CommandName 'gate' -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)

    $commandElements = $commandAst.CommandElements
    $command = @(
        'gate'
        for ($i = 1; $i -lt $commandElements.Count; $i++) {
            $element = $commandElements[$i]
            if ($element -isnot [StringConstantExpressionAst] -or
                $element.StringConstantType -ne [StringConstantType]::BareWord -or
                $element.Value.StartsWith('-') -or
                $element.Value -eq $wordToComplete) {
                break
        }
        $element.Value
    }) -join ';'

    $completions = @(switch ($command) {
        'gate' {
            [CompletionResult]::new('--policy', '--policy', [CompletionResultType]::ParameterName, 'Policy file to use (outranks $GATE_POLICY; a system policy in /etc/gate still applies on top)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('run', 'run', [CompletionResultType]::ParameterValue, 'Run a command if the policy allows it')
            [CompletionResult]::new('explain', 'explain', [CompletionResultType]::ParameterValue, 'Show what gate would decide about a command, without running it')
            [CompletionResult]::new('pending', 'pending', [CompletionResultType]::ParameterValue, 'List requests waiting for your approval')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Show one request: the command, where it runs, what it does, who asked and why, and its votes')
            [CompletionResult]::new('approve', 'approve', [CompletionResultType]::ParameterValue, 'Approve a request')
            [CompletionResult]::new('deny', 'deny', [CompletionResultType]::ParameterValue, 'Deny a request; the requester sees your reason')
            [CompletionResult]::new('cancel', 'cancel', [CompletionResultType]::ParameterValue, 'Cancel your own request')
            [CompletionResult]::new('inbox', 'inbox', [CompletionResultType]::ParameterValue, 'Answer requests as they arrive, until Ctrl-C')
            [CompletionResult]::new('policy', 'policy', [CompletionResultType]::ParameterValue, 'Check a policy file, or run its tests')
            [CompletionResult]::new('audit', 'audit', [CompletionResultType]::ParameterValue, 'Show the audit trail, or verify it')
            [CompletionResult]::new('serve', 'serve', [CompletionResultType]::ParameterValue, 'Run the approval broker: an HTTP API, a web approval page and a shared store')
            [CompletionResult]::new('hook', 'hook', [CompletionResultType]::ParameterValue, 'Guard AI agents: the Claude Code hook and its installation')
            [CompletionResult]::new('shim', 'shim', [CompletionResultType]::ParameterValue, 'Route tools through gate with wrapper executables')
            [CompletionResult]::new('init', 'init', [CompletionResultType]::ParameterValue, 'Write the starter policy and config (existing files are kept)')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print a shell completion script')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'gate;run' {
            [CompletionResult]::new('--reason', '--reason', [CompletionResultType]::ParameterName, 'Why this command is being run (shown to reviewers and kept in the audit)')
            [CompletionResult]::new('--agent', '--agent', [CompletionResultType]::ParameterName, 'The agent running this command on a person''s behalf')
            [CompletionResult]::new('--policy', '--policy', [CompletionResultType]::ParameterName, 'Policy file to use (outranks $GATE_POLICY; a system policy in /etc/gate still applies on top)')
            [CompletionResult]::new('--no-wait', '--no-wait', [CompletionResultType]::ParameterName, 'When approval is needed, print the request id and exit 75 instead of waiting; a later identical run uses the approval')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON line per state change on stderr, for agents')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'gate;explain' {
            [CompletionResult]::new('--agent', '--agent', [CompletionResultType]::ParameterName, 'Judge the command as if this agent asked for it')
            [CompletionResult]::new('--policy', '--policy', [CompletionResultType]::ParameterName, 'Policy file to use (outranks $GATE_POLICY; a system policy in /etc/gate still applies on top)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print the result as one JSON object')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'gate;pending' {
            [CompletionResult]::new('--policy', '--policy', [CompletionResultType]::ParameterName, 'Policy file to use (outranks $GATE_POLICY; a system policy in /etc/gate still applies on top)')
            [CompletionResult]::new('--all', '--all', [CompletionResultType]::ParameterName, 'Every pending request, not only those you may approve')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON object per request')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'gate;show' {
            [CompletionResult]::new('--policy', '--policy', [CompletionResultType]::ParameterName, 'Policy file to use (outranks $GATE_POLICY; a system policy in /etc/gate still applies on top)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print the request as JSON')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'gate;approve' {
            [CompletionResult]::new('--reason', '--reason', [CompletionResultType]::ParameterName, 'Why (kept in the audit)')
            [CompletionResult]::new('--policy', '--policy', [CompletionResultType]::ParameterName, 'Policy file to use (outranks $GATE_POLICY; a system policy in /etc/gate still applies on top)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'gate;deny' {
            [CompletionResult]::new('--reason', '--reason', [CompletionResultType]::ParameterName, 'Why: the requester, person or agent, reads this')
            [CompletionResult]::new('--policy', '--policy', [CompletionResultType]::ParameterName, 'Policy file to use (outranks $GATE_POLICY; a system policy in /etc/gate still applies on top)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'gate;cancel' {
            [CompletionResult]::new('--policy', '--policy', [CompletionResultType]::ParameterName, 'Policy file to use (outranks $GATE_POLICY; a system policy in /etc/gate still applies on top)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'gate;inbox' {
            [CompletionResult]::new('--policy', '--policy', [CompletionResultType]::ParameterName, 'Policy file to use (outranks $GATE_POLICY; a system policy in /etc/gate still applies on top)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'gate;policy' {
            [CompletionResult]::new('--policy', '--policy', [CompletionResultType]::ParameterName, 'Policy file to use (outranks $GATE_POLICY; a system policy in /etc/gate still applies on top)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('check', 'check', [CompletionResultType]::ParameterValue, 'Validate a policy file (default: the policy in force). Exits 78 when it is invalid')
            [CompletionResult]::new('test', 'test', [CompletionResultType]::ParameterValue, 'Run a policy''s `tests:` cases and print expected against actual. Exits 1 on any mismatch')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'gate;policy;check' {
            [CompletionResult]::new('--serve-config', '--serve-config', [CompletionResultType]::ParameterName, 'Also check that every `notify:` and `escalate:` names a channel this broker config has')
            [CompletionResult]::new('--policy', '--policy', [CompletionResultType]::ParameterName, 'Policy file to use (outranks $GATE_POLICY; a system policy in /etc/gate still applies on top)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'gate;policy;test' {
            [CompletionResult]::new('--policy', '--policy', [CompletionResultType]::ParameterName, 'Policy file to use (outranks $GATE_POLICY; a system policy in /etc/gate still applies on top)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON object per case')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'gate;policy;help' {
            [CompletionResult]::new('check', 'check', [CompletionResultType]::ParameterValue, 'Validate a policy file (default: the policy in force). Exits 78 when it is invalid')
            [CompletionResult]::new('test', 'test', [CompletionResultType]::ParameterValue, 'Run a policy''s `tests:` cases and print expected against actual. Exits 1 on any mismatch')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'gate;policy;help;check' {
            break
        }
        'gate;policy;help;test' {
            break
        }
        'gate;policy;help;help' {
            break
        }
        'gate;audit' {
            [CompletionResult]::new('--since', '--since', [CompletionResultType]::ParameterName, 'Only requests at or after this time (RFC 3339, a date, or an age such as 2h or 7d)')
            [CompletionResult]::new('--until', '--until', [CompletionResultType]::ParameterName, 'Only requests at or before this time (same forms as --since)')
            [CompletionResult]::new('--user', '--user', [CompletionResultType]::ParameterName, 'Only requests by this user or agent')
            [CompletionResult]::new('--decision', '--decision', [CompletionResultType]::ParameterName, 'Only requests with this decision')
            [CompletionResult]::new('--kind', '--kind', [CompletionResultType]::ParameterName, 'Only requests with a finding of this kind')
            [CompletionResult]::new('--id', '--id', [CompletionResultType]::ParameterName, 'Only the request with this id (any unique prefix)')
            [CompletionResult]::new('--limit', '--limit', [CompletionResultType]::ParameterName, 'Only the last N requests')
            [CompletionResult]::new('--policy', '--policy', [CompletionResultType]::ParameterName, 'Policy file to use (outranks $GATE_POLICY; a system policy in /etc/gate still applies on top)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print the records as JSON Lines')
            [CompletionResult]::new('--follow', '--follow', [CompletionResultType]::ParameterName, 'Keep printing records as they are appended')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('verify', 'verify', [CompletionResultType]::ParameterValue, 'Check the hash chain; exits 1 naming the first bad record on any edit, deletion, reorder or truncation')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'gate;audit;verify' {
            [CompletionResult]::new('--policy', '--policy', [CompletionResultType]::ParameterName, 'Policy file to use (outranks $GATE_POLICY; a system policy in /etc/gate still applies on top)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'gate;audit;help' {
            [CompletionResult]::new('verify', 'verify', [CompletionResultType]::ParameterValue, 'Check the hash chain; exits 1 naming the first bad record on any edit, deletion, reorder or truncation')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'gate;audit;help;verify' {
            break
        }
        'gate;audit;help;help' {
            break
        }
        'gate;serve' {
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'The broker''s config file (listen address, public URL, store)')
            [CompletionResult]::new('--listen', '--listen', [CompletionResultType]::ParameterName, 'The address to listen on, e.g. 0.0.0.0:8088 (outranks `listen:` in the config; port 0 picks one)')
            [CompletionResult]::new('--log', '--log', [CompletionResultType]::ParameterName, 'How much to log on stderr: error, warn, info or debug')
            [CompletionResult]::new('--policy', '--policy', [CompletionResultType]::ParameterName, 'Policy file to use (outranks $GATE_POLICY; a system policy in /etc/gate still applies on top)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('token', 'token', [CompletionResultType]::ParameterValue, 'Create, list and revoke the bearer tokens of requesters and reviewers')
            [CompletionResult]::new('link', 'link', [CompletionResultType]::ParameterValue, 'Print a signed, single-use link that signs a reviewer in to one request')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'gate;serve;token' {
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'The broker''s config file (listen address, public URL, store)')
            [CompletionResult]::new('--policy', '--policy', [CompletionResultType]::ParameterName, 'Policy file to use (outranks $GATE_POLICY; a system policy in /etc/gate still applies on top)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('create', 'create', [CompletionResultType]::ParameterValue, 'Create a token and print it once; the broker keeps only its hash')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List tokens (never their secrets)')
            [CompletionResult]::new('revoke', 'revoke', [CompletionResultType]::ParameterValue, 'Revoke a token at once, on every replica')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'gate;serve;token;create' {
            [CompletionResult]::new('--reviewer', '--reviewer', [CompletionResultType]::ParameterName, 'A person who reviews, named as the policy''s groups name them')
            [CompletionResult]::new('--requester', '--requester', [CompletionResultType]::ParameterName, 'A host or pipeline that submits requests; it can never vote')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'The broker''s config file (listen address, public URL, store)')
            [CompletionResult]::new('--policy', '--policy', [CompletionResultType]::ParameterName, 'Policy file to use (outranks $GATE_POLICY; a system policy in /etc/gate still applies on top)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'gate;serve;token;list' {
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'The broker''s config file (listen address, public URL, store)')
            [CompletionResult]::new('--policy', '--policy', [CompletionResultType]::ParameterName, 'Policy file to use (outranks $GATE_POLICY; a system policy in /etc/gate still applies on top)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'One JSON object per token')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'gate;serve;token;revoke' {
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'The broker''s config file (listen address, public URL, store)')
            [CompletionResult]::new('--policy', '--policy', [CompletionResultType]::ParameterName, 'Policy file to use (outranks $GATE_POLICY; a system policy in /etc/gate still applies on top)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'gate;serve;token;help' {
            [CompletionResult]::new('create', 'create', [CompletionResultType]::ParameterValue, 'Create a token and print it once; the broker keeps only its hash')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List tokens (never their secrets)')
            [CompletionResult]::new('revoke', 'revoke', [CompletionResultType]::ParameterValue, 'Revoke a token at once, on every replica')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'gate;serve;token;help;create' {
            break
        }
        'gate;serve;token;help;list' {
            break
        }
        'gate;serve;token;help;revoke' {
            break
        }
        'gate;serve;token;help;help' {
            break
        }
        'gate;serve;link' {
            [CompletionResult]::new('--reviewer', '--reviewer', [CompletionResultType]::ParameterName, 'The reviewer the link signs in')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'The broker''s config file (listen address, public URL, store)')
            [CompletionResult]::new('--policy', '--policy', [CompletionResultType]::ParameterName, 'Policy file to use (outranks $GATE_POLICY; a system policy in /etc/gate still applies on top)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'gate;serve;help' {
            [CompletionResult]::new('token', 'token', [CompletionResultType]::ParameterValue, 'Create, list and revoke the bearer tokens of requesters and reviewers')
            [CompletionResult]::new('link', 'link', [CompletionResultType]::ParameterValue, 'Print a signed, single-use link that signs a reviewer in to one request')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'gate;serve;help;token' {
            [CompletionResult]::new('create', 'create', [CompletionResultType]::ParameterValue, 'Create a token and print it once; the broker keeps only its hash')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List tokens (never their secrets)')
            [CompletionResult]::new('revoke', 'revoke', [CompletionResultType]::ParameterValue, 'Revoke a token at once, on every replica')
            break
        }
        'gate;serve;help;token;create' {
            break
        }
        'gate;serve;help;token;list' {
            break
        }
        'gate;serve;help;token;revoke' {
            break
        }
        'gate;serve;help;link' {
            break
        }
        'gate;serve;help;help' {
            break
        }
        'gate;hook' {
            [CompletionResult]::new('--policy', '--policy', [CompletionResultType]::ParameterName, 'Policy file to use (outranks $GATE_POLICY; a system policy in /etc/gate still applies on top)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('claude-code', 'claude-code', [CompletionResultType]::ParameterValue, 'The PreToolUse hook: reads Claude Code''s JSON on stdin and answers on stdout; exits 2 on any failure')
            [CompletionResult]::new('install', 'install', [CompletionResultType]::ParameterValue, 'Write the hook into Claude Code''s settings and print what was written')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'gate;hook;claude-code' {
            [CompletionResult]::new('--wait', '--wait', [CompletionResultType]::ParameterName, 'How long to wait for an approval before denying with the request id (0: never wait)')
            [CompletionResult]::new('--policy', '--policy', [CompletionResultType]::ParameterName, 'Policy file to use (outranks $GATE_POLICY; a system policy in /etc/gate still applies on top)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'gate;hook;install' {
            [CompletionResult]::new('--settings', '--settings', [CompletionResultType]::ParameterName, 'The settings file to write (default: .claude/settings.json in this directory)')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'The hook''s time limit in seconds, written into the settings; the hook waits this less 10 s')
            [CompletionResult]::new('--policy', '--policy', [CompletionResultType]::ParameterName, 'Policy file to use (outranks $GATE_POLICY; a system policy in /etc/gate still applies on top)')
            [CompletionResult]::new('--managed', '--managed', [CompletionResultType]::ParameterName, 'Write the managed settings every user on this machine gets (/etc/claude-code/managed-settings.json)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'gate;hook;help' {
            [CompletionResult]::new('claude-code', 'claude-code', [CompletionResultType]::ParameterValue, 'The PreToolUse hook: reads Claude Code''s JSON on stdin and answers on stdout; exits 2 on any failure')
            [CompletionResult]::new('install', 'install', [CompletionResultType]::ParameterValue, 'Write the hook into Claude Code''s settings and print what was written')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'gate;hook;help;claude-code' {
            break
        }
        'gate;hook;help;install' {
            break
        }
        'gate;hook;help;help' {
            break
        }
        'gate;shim' {
            [CompletionResult]::new('--policy', '--policy', [CompletionResultType]::ParameterName, 'Policy file to use (outranks $GATE_POLICY; a system policy in /etc/gate still applies on top)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('install', 'install', [CompletionResultType]::ParameterValue, 'Write a shim for each TOOL into DIR (created if needed)')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List the gate shims in DIR')
            [CompletionResult]::new('remove', 'remove', [CompletionResultType]::ParameterValue, 'Remove gate shims from DIR (every one when no TOOL is named); other files are left alone')
            [CompletionResult]::new('exec', 'exec', [CompletionResultType]::ParameterValue, 'What a shim runs: find the real TOOL on PATH after DIR and run it through `gate run`')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'gate;shim;install' {
            [CompletionResult]::new('--policy', '--policy', [CompletionResultType]::ParameterName, 'Policy file to use (outranks $GATE_POLICY; a system policy in /etc/gate still applies on top)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'gate;shim;list' {
            [CompletionResult]::new('--policy', '--policy', [CompletionResultType]::ParameterName, 'Policy file to use (outranks $GATE_POLICY; a system policy in /etc/gate still applies on top)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'gate;shim;remove' {
            [CompletionResult]::new('--policy', '--policy', [CompletionResultType]::ParameterName, 'Policy file to use (outranks $GATE_POLICY; a system policy in /etc/gate still applies on top)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'gate;shim;exec' {
            [CompletionResult]::new('--policy', '--policy', [CompletionResultType]::ParameterName, 'Policy file to use (outranks $GATE_POLICY; a system policy in /etc/gate still applies on top)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'gate;shim;help' {
            [CompletionResult]::new('install', 'install', [CompletionResultType]::ParameterValue, 'Write a shim for each TOOL into DIR (created if needed)')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List the gate shims in DIR')
            [CompletionResult]::new('remove', 'remove', [CompletionResultType]::ParameterValue, 'Remove gate shims from DIR (every one when no TOOL is named); other files are left alone')
            [CompletionResult]::new('exec', 'exec', [CompletionResultType]::ParameterValue, 'What a shim runs: find the real TOOL on PATH after DIR and run it through `gate run`')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'gate;shim;help;install' {
            break
        }
        'gate;shim;help;list' {
            break
        }
        'gate;shim;help;remove' {
            break
        }
        'gate;shim;help;exec' {
            break
        }
        'gate;shim;help;help' {
            break
        }
        'gate;init' {
            [CompletionResult]::new('--policy', '--policy', [CompletionResultType]::ParameterName, 'Policy file to use (outranks $GATE_POLICY; a system policy in /etc/gate still applies on top)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'gate;completions' {
            [CompletionResult]::new('--policy', '--policy', [CompletionResultType]::ParameterName, 'Policy file to use (outranks $GATE_POLICY; a system policy in /etc/gate still applies on top)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'gate;help' {
            [CompletionResult]::new('run', 'run', [CompletionResultType]::ParameterValue, 'Run a command if the policy allows it')
            [CompletionResult]::new('explain', 'explain', [CompletionResultType]::ParameterValue, 'Show what gate would decide about a command, without running it')
            [CompletionResult]::new('pending', 'pending', [CompletionResultType]::ParameterValue, 'List requests waiting for your approval')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Show one request: the command, where it runs, what it does, who asked and why, and its votes')
            [CompletionResult]::new('approve', 'approve', [CompletionResultType]::ParameterValue, 'Approve a request')
            [CompletionResult]::new('deny', 'deny', [CompletionResultType]::ParameterValue, 'Deny a request; the requester sees your reason')
            [CompletionResult]::new('cancel', 'cancel', [CompletionResultType]::ParameterValue, 'Cancel your own request')
            [CompletionResult]::new('inbox', 'inbox', [CompletionResultType]::ParameterValue, 'Answer requests as they arrive, until Ctrl-C')
            [CompletionResult]::new('policy', 'policy', [CompletionResultType]::ParameterValue, 'Check a policy file, or run its tests')
            [CompletionResult]::new('audit', 'audit', [CompletionResultType]::ParameterValue, 'Show the audit trail, or verify it')
            [CompletionResult]::new('serve', 'serve', [CompletionResultType]::ParameterValue, 'Run the approval broker: an HTTP API, a web approval page and a shared store')
            [CompletionResult]::new('hook', 'hook', [CompletionResultType]::ParameterValue, 'Guard AI agents: the Claude Code hook and its installation')
            [CompletionResult]::new('shim', 'shim', [CompletionResultType]::ParameterValue, 'Route tools through gate with wrapper executables')
            [CompletionResult]::new('init', 'init', [CompletionResultType]::ParameterValue, 'Write the starter policy and config (existing files are kept)')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print a shell completion script')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'gate;help;run' {
            break
        }
        'gate;help;explain' {
            break
        }
        'gate;help;pending' {
            break
        }
        'gate;help;show' {
            break
        }
        'gate;help;approve' {
            break
        }
        'gate;help;deny' {
            break
        }
        'gate;help;cancel' {
            break
        }
        'gate;help;inbox' {
            break
        }
        'gate;help;policy' {
            [CompletionResult]::new('check', 'check', [CompletionResultType]::ParameterValue, 'Validate a policy file (default: the policy in force). Exits 78 when it is invalid')
            [CompletionResult]::new('test', 'test', [CompletionResultType]::ParameterValue, 'Run a policy''s `tests:` cases and print expected against actual. Exits 1 on any mismatch')
            break
        }
        'gate;help;policy;check' {
            break
        }
        'gate;help;policy;test' {
            break
        }
        'gate;help;audit' {
            [CompletionResult]::new('verify', 'verify', [CompletionResultType]::ParameterValue, 'Check the hash chain; exits 1 naming the first bad record on any edit, deletion, reorder or truncation')
            break
        }
        'gate;help;audit;verify' {
            break
        }
        'gate;help;serve' {
            [CompletionResult]::new('token', 'token', [CompletionResultType]::ParameterValue, 'Create, list and revoke the bearer tokens of requesters and reviewers')
            [CompletionResult]::new('link', 'link', [CompletionResultType]::ParameterValue, 'Print a signed, single-use link that signs a reviewer in to one request')
            break
        }
        'gate;help;serve;token' {
            [CompletionResult]::new('create', 'create', [CompletionResultType]::ParameterValue, 'Create a token and print it once; the broker keeps only its hash')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List tokens (never their secrets)')
            [CompletionResult]::new('revoke', 'revoke', [CompletionResultType]::ParameterValue, 'Revoke a token at once, on every replica')
            break
        }
        'gate;help;serve;token;create' {
            break
        }
        'gate;help;serve;token;list' {
            break
        }
        'gate;help;serve;token;revoke' {
            break
        }
        'gate;help;serve;link' {
            break
        }
        'gate;help;hook' {
            [CompletionResult]::new('claude-code', 'claude-code', [CompletionResultType]::ParameterValue, 'The PreToolUse hook: reads Claude Code''s JSON on stdin and answers on stdout; exits 2 on any failure')
            [CompletionResult]::new('install', 'install', [CompletionResultType]::ParameterValue, 'Write the hook into Claude Code''s settings and print what was written')
            break
        }
        'gate;help;hook;claude-code' {
            break
        }
        'gate;help;hook;install' {
            break
        }
        'gate;help;shim' {
            [CompletionResult]::new('install', 'install', [CompletionResultType]::ParameterValue, 'Write a shim for each TOOL into DIR (created if needed)')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List the gate shims in DIR')
            [CompletionResult]::new('remove', 'remove', [CompletionResultType]::ParameterValue, 'Remove gate shims from DIR (every one when no TOOL is named); other files are left alone')
            [CompletionResult]::new('exec', 'exec', [CompletionResultType]::ParameterValue, 'What a shim runs: find the real TOOL on PATH after DIR and run it through `gate run`')
            break
        }
        'gate;help;shim;install' {
            break
        }
        'gate;help;shim;list' {
            break
        }
        'gate;help;shim;remove' {
            break
        }
        'gate;help;shim;exec' {
            break
        }
        'gate;help;init' {
            break
        }
        'gate;help;completions' {
            break
        }
        'gate;help;help' {
            break
        }
    })

    $completions.Where{ $_.CompletionText -like "$wordToComplete*" } |
        Sort-Object -Property ListItemText
}
