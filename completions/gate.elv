
use builtin;
use str;

set edit:completion:arg-completer[gate] = {|@words|
    fn spaces {|n|
        builtin:repeat $n ' ' | str:join ''
    }
    fn cand {|text desc|
        edit:complex-candidate $text &display=$text' '(spaces (- 14 (wcswidth $text)))$desc
    }
    var command = 'gate'
    for word $words[1..-1] {
        if (str:has-prefix $word '-') {
            break
        }
        set command = $command';'$word
    }
    var completions = [
        &'gate'= {
            cand --policy 'Policy file to use (outranks $GATE_POLICY; a system policy in /etc/gate still applies on top)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
            cand run 'Run a command if the policy allows it'
            cand explain 'Show what gate would decide about a command, without running it'
            cand pending 'List requests waiting for your approval'
            cand show 'Show one request: the command, where it runs, what it does, who asked and why, and its votes'
            cand approve 'Approve a request'
            cand deny 'Deny a request; the requester sees your reason'
            cand cancel 'Cancel your own request'
            cand inbox 'Answer requests as they arrive, until Ctrl-C'
            cand policy 'Check a policy file, or run its tests'
            cand audit 'Show the audit trail, or verify it'
            cand serve 'Run the approval broker: an HTTP API, a web approval page and a shared store'
            cand hook 'Guard AI agents: the Claude Code hook and its installation'
            cand shim 'Route tools through gate with wrapper executables'
            cand init 'Write the starter policy and config (existing files are kept)'
            cand completions 'Print a shell completion script'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'gate;run'= {
            cand --reason 'Why this command is being run (shown to reviewers and kept in the audit)'
            cand --agent 'The agent running this command on a person''s behalf'
            cand --policy 'Policy file to use (outranks $GATE_POLICY; a system policy in /etc/gate still applies on top)'
            cand --no-wait 'When approval is needed, print the request id and exit 75 instead of waiting; a later identical run uses the approval'
            cand --json 'Print one JSON line per state change on stderr, for agents'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'gate;explain'= {
            cand --agent 'Judge the command as if this agent asked for it'
            cand --policy 'Policy file to use (outranks $GATE_POLICY; a system policy in /etc/gate still applies on top)'
            cand --json 'Print the result as one JSON object'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'gate;pending'= {
            cand --policy 'Policy file to use (outranks $GATE_POLICY; a system policy in /etc/gate still applies on top)'
            cand --all 'Every pending request, not only those you may approve'
            cand --json 'Print one JSON object per request'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'gate;show'= {
            cand --policy 'Policy file to use (outranks $GATE_POLICY; a system policy in /etc/gate still applies on top)'
            cand --json 'Print the request as JSON'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'gate;approve'= {
            cand --reason 'Why (kept in the audit)'
            cand --policy 'Policy file to use (outranks $GATE_POLICY; a system policy in /etc/gate still applies on top)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'gate;deny'= {
            cand --reason 'Why: the requester, person or agent, reads this'
            cand --policy 'Policy file to use (outranks $GATE_POLICY; a system policy in /etc/gate still applies on top)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'gate;cancel'= {
            cand --policy 'Policy file to use (outranks $GATE_POLICY; a system policy in /etc/gate still applies on top)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'gate;inbox'= {
            cand --policy 'Policy file to use (outranks $GATE_POLICY; a system policy in /etc/gate still applies on top)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'gate;policy'= {
            cand --policy 'Policy file to use (outranks $GATE_POLICY; a system policy in /etc/gate still applies on top)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
            cand check 'Validate a policy file (default: the policy in force). Exits 78 when it is invalid'
            cand test 'Run a policy''s `tests:` cases and print expected against actual. Exits 1 on any mismatch'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'gate;policy;check'= {
            cand --serve-config 'Also check that every `notify:` and `escalate:` names a channel this broker config has'
            cand --policy 'Policy file to use (outranks $GATE_POLICY; a system policy in /etc/gate still applies on top)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'gate;policy;test'= {
            cand --policy 'Policy file to use (outranks $GATE_POLICY; a system policy in /etc/gate still applies on top)'
            cand --json 'Print one JSON object per case'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'gate;policy;help'= {
            cand check 'Validate a policy file (default: the policy in force). Exits 78 when it is invalid'
            cand test 'Run a policy''s `tests:` cases and print expected against actual. Exits 1 on any mismatch'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'gate;policy;help;check'= {
        }
        &'gate;policy;help;test'= {
        }
        &'gate;policy;help;help'= {
        }
        &'gate;audit'= {
            cand --since 'Only requests at or after this time (RFC 3339, a date, or an age such as 2h or 7d)'
            cand --until 'Only requests at or before this time (same forms as --since)'
            cand --user 'Only requests by this user or agent'
            cand --decision 'Only requests with this decision'
            cand --kind 'Only requests with a finding of this kind'
            cand --id 'Only the request with this id (any unique prefix)'
            cand --limit 'Only the last N requests'
            cand --policy 'Policy file to use (outranks $GATE_POLICY; a system policy in /etc/gate still applies on top)'
            cand --json 'Print the records as JSON Lines'
            cand --follow 'Keep printing records as they are appended'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
            cand verify 'Check the hash chain; exits 1 naming the first bad record on any edit, deletion, reorder or truncation'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'gate;audit;verify'= {
            cand --policy 'Policy file to use (outranks $GATE_POLICY; a system policy in /etc/gate still applies on top)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'gate;audit;help'= {
            cand verify 'Check the hash chain; exits 1 naming the first bad record on any edit, deletion, reorder or truncation'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'gate;audit;help;verify'= {
        }
        &'gate;audit;help;help'= {
        }
        &'gate;serve'= {
            cand --config 'The broker''s config file (listen address, public URL, store)'
            cand --listen 'The address to listen on, e.g. 0.0.0.0:8088 (outranks `listen:` in the config; port 0 picks one)'
            cand --log 'How much to log on stderr: error, warn, info or debug'
            cand --policy 'Policy file to use (outranks $GATE_POLICY; a system policy in /etc/gate still applies on top)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
            cand token 'Create, list and revoke the bearer tokens of requesters and reviewers'
            cand link 'Print a signed, single-use link that signs a reviewer in to one request'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'gate;serve;token'= {
            cand --config 'The broker''s config file (listen address, public URL, store)'
            cand --policy 'Policy file to use (outranks $GATE_POLICY; a system policy in /etc/gate still applies on top)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
            cand create 'Create a token and print it once; the broker keeps only its hash'
            cand list 'List tokens (never their secrets)'
            cand revoke 'Revoke a token at once, on every replica'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'gate;serve;token;create'= {
            cand --reviewer 'A person who reviews, named as the policy''s groups name them'
            cand --requester 'A host or pipeline that submits requests; it can never vote'
            cand --config 'The broker''s config file (listen address, public URL, store)'
            cand --policy 'Policy file to use (outranks $GATE_POLICY; a system policy in /etc/gate still applies on top)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'gate;serve;token;list'= {
            cand --config 'The broker''s config file (listen address, public URL, store)'
            cand --policy 'Policy file to use (outranks $GATE_POLICY; a system policy in /etc/gate still applies on top)'
            cand --json 'One JSON object per token'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'gate;serve;token;revoke'= {
            cand --config 'The broker''s config file (listen address, public URL, store)'
            cand --policy 'Policy file to use (outranks $GATE_POLICY; a system policy in /etc/gate still applies on top)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'gate;serve;token;help'= {
            cand create 'Create a token and print it once; the broker keeps only its hash'
            cand list 'List tokens (never their secrets)'
            cand revoke 'Revoke a token at once, on every replica'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'gate;serve;token;help;create'= {
        }
        &'gate;serve;token;help;list'= {
        }
        &'gate;serve;token;help;revoke'= {
        }
        &'gate;serve;token;help;help'= {
        }
        &'gate;serve;link'= {
            cand --reviewer 'The reviewer the link signs in'
            cand --config 'The broker''s config file (listen address, public URL, store)'
            cand --policy 'Policy file to use (outranks $GATE_POLICY; a system policy in /etc/gate still applies on top)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'gate;serve;help'= {
            cand token 'Create, list and revoke the bearer tokens of requesters and reviewers'
            cand link 'Print a signed, single-use link that signs a reviewer in to one request'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'gate;serve;help;token'= {
            cand create 'Create a token and print it once; the broker keeps only its hash'
            cand list 'List tokens (never their secrets)'
            cand revoke 'Revoke a token at once, on every replica'
        }
        &'gate;serve;help;token;create'= {
        }
        &'gate;serve;help;token;list'= {
        }
        &'gate;serve;help;token;revoke'= {
        }
        &'gate;serve;help;link'= {
        }
        &'gate;serve;help;help'= {
        }
        &'gate;hook'= {
            cand --policy 'Policy file to use (outranks $GATE_POLICY; a system policy in /etc/gate still applies on top)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
            cand claude-code 'The PreToolUse hook: reads Claude Code''s JSON on stdin and answers on stdout; exits 2 on any failure'
            cand install 'Write the hook into Claude Code''s settings and print what was written'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'gate;hook;claude-code'= {
            cand --wait 'How long to wait for an approval before denying with the request id (0: never wait)'
            cand --policy 'Policy file to use (outranks $GATE_POLICY; a system policy in /etc/gate still applies on top)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'gate;hook;install'= {
            cand --settings 'The settings file to write (default: .claude/settings.json in this directory)'
            cand --timeout 'The hook''s time limit in seconds, written into the settings; the hook waits this less 10 s'
            cand --policy 'Policy file to use (outranks $GATE_POLICY; a system policy in /etc/gate still applies on top)'
            cand --managed 'Write the managed settings every user on this machine gets (/etc/claude-code/managed-settings.json)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'gate;hook;help'= {
            cand claude-code 'The PreToolUse hook: reads Claude Code''s JSON on stdin and answers on stdout; exits 2 on any failure'
            cand install 'Write the hook into Claude Code''s settings and print what was written'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'gate;hook;help;claude-code'= {
        }
        &'gate;hook;help;install'= {
        }
        &'gate;hook;help;help'= {
        }
        &'gate;shim'= {
            cand --policy 'Policy file to use (outranks $GATE_POLICY; a system policy in /etc/gate still applies on top)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
            cand install 'Write a shim for each TOOL into DIR (created if needed)'
            cand list 'List the gate shims in DIR'
            cand remove 'Remove gate shims from DIR (every one when no TOOL is named); other files are left alone'
            cand exec 'What a shim runs: find the real TOOL on PATH after DIR and run it through `gate run`'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'gate;shim;install'= {
            cand --policy 'Policy file to use (outranks $GATE_POLICY; a system policy in /etc/gate still applies on top)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'gate;shim;list'= {
            cand --policy 'Policy file to use (outranks $GATE_POLICY; a system policy in /etc/gate still applies on top)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'gate;shim;remove'= {
            cand --policy 'Policy file to use (outranks $GATE_POLICY; a system policy in /etc/gate still applies on top)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'gate;shim;exec'= {
            cand --policy 'Policy file to use (outranks $GATE_POLICY; a system policy in /etc/gate still applies on top)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'gate;shim;help'= {
            cand install 'Write a shim for each TOOL into DIR (created if needed)'
            cand list 'List the gate shims in DIR'
            cand remove 'Remove gate shims from DIR (every one when no TOOL is named); other files are left alone'
            cand exec 'What a shim runs: find the real TOOL on PATH after DIR and run it through `gate run`'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'gate;shim;help;install'= {
        }
        &'gate;shim;help;list'= {
        }
        &'gate;shim;help;remove'= {
        }
        &'gate;shim;help;exec'= {
        }
        &'gate;shim;help;help'= {
        }
        &'gate;init'= {
            cand --policy 'Policy file to use (outranks $GATE_POLICY; a system policy in /etc/gate still applies on top)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'gate;completions'= {
            cand --policy 'Policy file to use (outranks $GATE_POLICY; a system policy in /etc/gate still applies on top)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'gate;help'= {
            cand run 'Run a command if the policy allows it'
            cand explain 'Show what gate would decide about a command, without running it'
            cand pending 'List requests waiting for your approval'
            cand show 'Show one request: the command, where it runs, what it does, who asked and why, and its votes'
            cand approve 'Approve a request'
            cand deny 'Deny a request; the requester sees your reason'
            cand cancel 'Cancel your own request'
            cand inbox 'Answer requests as they arrive, until Ctrl-C'
            cand policy 'Check a policy file, or run its tests'
            cand audit 'Show the audit trail, or verify it'
            cand serve 'Run the approval broker: an HTTP API, a web approval page and a shared store'
            cand hook 'Guard AI agents: the Claude Code hook and its installation'
            cand shim 'Route tools through gate with wrapper executables'
            cand init 'Write the starter policy and config (existing files are kept)'
            cand completions 'Print a shell completion script'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'gate;help;run'= {
        }
        &'gate;help;explain'= {
        }
        &'gate;help;pending'= {
        }
        &'gate;help;show'= {
        }
        &'gate;help;approve'= {
        }
        &'gate;help;deny'= {
        }
        &'gate;help;cancel'= {
        }
        &'gate;help;inbox'= {
        }
        &'gate;help;policy'= {
            cand check 'Validate a policy file (default: the policy in force). Exits 78 when it is invalid'
            cand test 'Run a policy''s `tests:` cases and print expected against actual. Exits 1 on any mismatch'
        }
        &'gate;help;policy;check'= {
        }
        &'gate;help;policy;test'= {
        }
        &'gate;help;audit'= {
            cand verify 'Check the hash chain; exits 1 naming the first bad record on any edit, deletion, reorder or truncation'
        }
        &'gate;help;audit;verify'= {
        }
        &'gate;help;serve'= {
            cand token 'Create, list and revoke the bearer tokens of requesters and reviewers'
            cand link 'Print a signed, single-use link that signs a reviewer in to one request'
        }
        &'gate;help;serve;token'= {
            cand create 'Create a token and print it once; the broker keeps only its hash'
            cand list 'List tokens (never their secrets)'
            cand revoke 'Revoke a token at once, on every replica'
        }
        &'gate;help;serve;token;create'= {
        }
        &'gate;help;serve;token;list'= {
        }
        &'gate;help;serve;token;revoke'= {
        }
        &'gate;help;serve;link'= {
        }
        &'gate;help;hook'= {
            cand claude-code 'The PreToolUse hook: reads Claude Code''s JSON on stdin and answers on stdout; exits 2 on any failure'
            cand install 'Write the hook into Claude Code''s settings and print what was written'
        }
        &'gate;help;hook;claude-code'= {
        }
        &'gate;help;hook;install'= {
        }
        &'gate;help;shim'= {
            cand install 'Write a shim for each TOOL into DIR (created if needed)'
            cand list 'List the gate shims in DIR'
            cand remove 'Remove gate shims from DIR (every one when no TOOL is named); other files are left alone'
            cand exec 'What a shim runs: find the real TOOL on PATH after DIR and run it through `gate run`'
        }
        &'gate;help;shim;install'= {
        }
        &'gate;help;shim;list'= {
        }
        &'gate;help;shim;remove'= {
        }
        &'gate;help;shim;exec'= {
        }
        &'gate;help;init'= {
        }
        &'gate;help;completions'= {
        }
        &'gate;help;help'= {
        }
    ]
    $completions[$command]
}
