# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_gate_global_optspecs
    string join \n policy= h/help V/version
end

function __fish_gate_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_gate_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_gate_using_subcommand
    set -l cmd (__fish_gate_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c gate -n "__fish_gate_needs_command" -l policy -d 'Policy file to use (outranks $GATE_POLICY; a system policy in /etc/gate still applies on top)' -r -F
complete -c gate -n "__fish_gate_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c gate -n "__fish_gate_needs_command" -s V -l version -d 'Print version'
complete -c gate -n "__fish_gate_needs_command" -f -a "run" -d 'Run a command if the policy allows it'
complete -c gate -n "__fish_gate_needs_command" -f -a "explain" -d 'Show what gate would decide about a command, without running it'
complete -c gate -n "__fish_gate_needs_command" -f -a "pending" -d 'List requests waiting for your approval'
complete -c gate -n "__fish_gate_needs_command" -f -a "show" -d 'Show one request: the command, where it runs, what it does, who asked and why, and its votes'
complete -c gate -n "__fish_gate_needs_command" -f -a "approve" -d 'Approve a request'
complete -c gate -n "__fish_gate_needs_command" -f -a "deny" -d 'Deny a request; the requester sees your reason'
complete -c gate -n "__fish_gate_needs_command" -f -a "cancel" -d 'Cancel your own request'
complete -c gate -n "__fish_gate_needs_command" -f -a "inbox" -d 'Answer requests as they arrive, until Ctrl-C'
complete -c gate -n "__fish_gate_needs_command" -f -a "policy" -d 'Check a policy file, or run its tests'
complete -c gate -n "__fish_gate_needs_command" -f -a "audit" -d 'Show the audit trail, or verify it'
complete -c gate -n "__fish_gate_needs_command" -f -a "serve" -d 'Run the approval broker: an HTTP API, a web approval page and a shared store'
complete -c gate -n "__fish_gate_needs_command" -f -a "hook" -d 'Guard AI agents: the Claude Code hook and its installation'
complete -c gate -n "__fish_gate_needs_command" -f -a "shim" -d 'Route tools through gate with wrapper executables'
complete -c gate -n "__fish_gate_needs_command" -f -a "init" -d 'Write the starter policy and config (existing files are kept)'
complete -c gate -n "__fish_gate_needs_command" -f -a "completions" -d 'Print a shell completion script'
complete -c gate -n "__fish_gate_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c gate -n "__fish_gate_using_subcommand run" -l reason -d 'Why this command is being run (shown to reviewers and kept in the audit)' -r
complete -c gate -n "__fish_gate_using_subcommand run" -l agent -d 'The agent running this command on a person\'s behalf' -r
complete -c gate -n "__fish_gate_using_subcommand run" -l policy -d 'Policy file to use (outranks $GATE_POLICY; a system policy in /etc/gate still applies on top)' -r -F
complete -c gate -n "__fish_gate_using_subcommand run" -l no-wait -d 'When approval is needed, print the request id and exit 75 instead of waiting; a later identical run uses the approval'
complete -c gate -n "__fish_gate_using_subcommand run" -l json -d 'Print one JSON line per state change on stderr, for agents'
complete -c gate -n "__fish_gate_using_subcommand run" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c gate -n "__fish_gate_using_subcommand run" -s V -l version -d 'Print version'
complete -c gate -n "__fish_gate_using_subcommand explain" -l agent -d 'Judge the command as if this agent asked for it' -r
complete -c gate -n "__fish_gate_using_subcommand explain" -l policy -d 'Policy file to use (outranks $GATE_POLICY; a system policy in /etc/gate still applies on top)' -r -F
complete -c gate -n "__fish_gate_using_subcommand explain" -l json -d 'Print the result as one JSON object'
complete -c gate -n "__fish_gate_using_subcommand explain" -s h -l help -d 'Print help'
complete -c gate -n "__fish_gate_using_subcommand explain" -s V -l version -d 'Print version'
complete -c gate -n "__fish_gate_using_subcommand pending" -l policy -d 'Policy file to use (outranks $GATE_POLICY; a system policy in /etc/gate still applies on top)' -r -F
complete -c gate -n "__fish_gate_using_subcommand pending" -l all -d 'Every pending request, not only those you may approve'
complete -c gate -n "__fish_gate_using_subcommand pending" -l json -d 'Print one JSON object per request'
complete -c gate -n "__fish_gate_using_subcommand pending" -s h -l help -d 'Print help'
complete -c gate -n "__fish_gate_using_subcommand pending" -s V -l version -d 'Print version'
complete -c gate -n "__fish_gate_using_subcommand show" -l policy -d 'Policy file to use (outranks $GATE_POLICY; a system policy in /etc/gate still applies on top)' -r -F
complete -c gate -n "__fish_gate_using_subcommand show" -l json -d 'Print the request as JSON'
complete -c gate -n "__fish_gate_using_subcommand show" -s h -l help -d 'Print help'
complete -c gate -n "__fish_gate_using_subcommand show" -s V -l version -d 'Print version'
complete -c gate -n "__fish_gate_using_subcommand approve" -l reason -d 'Why (kept in the audit)' -r
complete -c gate -n "__fish_gate_using_subcommand approve" -l policy -d 'Policy file to use (outranks $GATE_POLICY; a system policy in /etc/gate still applies on top)' -r -F
complete -c gate -n "__fish_gate_using_subcommand approve" -s h -l help -d 'Print help'
complete -c gate -n "__fish_gate_using_subcommand approve" -s V -l version -d 'Print version'
complete -c gate -n "__fish_gate_using_subcommand deny" -l reason -d 'Why: the requester, person or agent, reads this' -r
complete -c gate -n "__fish_gate_using_subcommand deny" -l policy -d 'Policy file to use (outranks $GATE_POLICY; a system policy in /etc/gate still applies on top)' -r -F
complete -c gate -n "__fish_gate_using_subcommand deny" -s h -l help -d 'Print help'
complete -c gate -n "__fish_gate_using_subcommand deny" -s V -l version -d 'Print version'
complete -c gate -n "__fish_gate_using_subcommand cancel" -l policy -d 'Policy file to use (outranks $GATE_POLICY; a system policy in /etc/gate still applies on top)' -r -F
complete -c gate -n "__fish_gate_using_subcommand cancel" -s h -l help -d 'Print help'
complete -c gate -n "__fish_gate_using_subcommand cancel" -s V -l version -d 'Print version'
complete -c gate -n "__fish_gate_using_subcommand inbox" -l policy -d 'Policy file to use (outranks $GATE_POLICY; a system policy in /etc/gate still applies on top)' -r -F
complete -c gate -n "__fish_gate_using_subcommand inbox" -s h -l help -d 'Print help'
complete -c gate -n "__fish_gate_using_subcommand inbox" -s V -l version -d 'Print version'
complete -c gate -n "__fish_gate_using_subcommand policy; and not __fish_seen_subcommand_from check test help" -l policy -d 'Policy file to use (outranks $GATE_POLICY; a system policy in /etc/gate still applies on top)' -r -F
complete -c gate -n "__fish_gate_using_subcommand policy; and not __fish_seen_subcommand_from check test help" -s h -l help -d 'Print help'
complete -c gate -n "__fish_gate_using_subcommand policy; and not __fish_seen_subcommand_from check test help" -s V -l version -d 'Print version'
complete -c gate -n "__fish_gate_using_subcommand policy; and not __fish_seen_subcommand_from check test help" -f -a "check" -d 'Validate a policy file (default: the policy in force). Exits 78 when it is invalid'
complete -c gate -n "__fish_gate_using_subcommand policy; and not __fish_seen_subcommand_from check test help" -f -a "test" -d 'Run a policy\'s `tests:` cases and print expected against actual. Exits 1 on any mismatch'
complete -c gate -n "__fish_gate_using_subcommand policy; and not __fish_seen_subcommand_from check test help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c gate -n "__fish_gate_using_subcommand policy; and __fish_seen_subcommand_from check" -l serve-config -d 'Also check that every `notify:` and `escalate:` names a channel this broker config has' -r -F
complete -c gate -n "__fish_gate_using_subcommand policy; and __fish_seen_subcommand_from check" -l policy -d 'Policy file to use (outranks $GATE_POLICY; a system policy in /etc/gate still applies on top)' -r -F
complete -c gate -n "__fish_gate_using_subcommand policy; and __fish_seen_subcommand_from check" -s h -l help -d 'Print help'
complete -c gate -n "__fish_gate_using_subcommand policy; and __fish_seen_subcommand_from check" -s V -l version -d 'Print version'
complete -c gate -n "__fish_gate_using_subcommand policy; and __fish_seen_subcommand_from test" -l policy -d 'Policy file to use (outranks $GATE_POLICY; a system policy in /etc/gate still applies on top)' -r -F
complete -c gate -n "__fish_gate_using_subcommand policy; and __fish_seen_subcommand_from test" -l json -d 'Print one JSON object per case'
complete -c gate -n "__fish_gate_using_subcommand policy; and __fish_seen_subcommand_from test" -s h -l help -d 'Print help'
complete -c gate -n "__fish_gate_using_subcommand policy; and __fish_seen_subcommand_from test" -s V -l version -d 'Print version'
complete -c gate -n "__fish_gate_using_subcommand policy; and __fish_seen_subcommand_from help" -f -a "check" -d 'Validate a policy file (default: the policy in force). Exits 78 when it is invalid'
complete -c gate -n "__fish_gate_using_subcommand policy; and __fish_seen_subcommand_from help" -f -a "test" -d 'Run a policy\'s `tests:` cases and print expected against actual. Exits 1 on any mismatch'
complete -c gate -n "__fish_gate_using_subcommand policy; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c gate -n "__fish_gate_using_subcommand audit; and not __fish_seen_subcommand_from verify help" -l since -d 'Only requests at or after this time (RFC 3339, a date, or an age such as 2h or 7d)' -r
complete -c gate -n "__fish_gate_using_subcommand audit; and not __fish_seen_subcommand_from verify help" -l until -d 'Only requests at or before this time (same forms as --since)' -r
complete -c gate -n "__fish_gate_using_subcommand audit; and not __fish_seen_subcommand_from verify help" -l user -d 'Only requests by this user or agent' -r
complete -c gate -n "__fish_gate_using_subcommand audit; and not __fish_seen_subcommand_from verify help" -l decision -d 'Only requests with this decision' -r
complete -c gate -n "__fish_gate_using_subcommand audit; and not __fish_seen_subcommand_from verify help" -l kind -d 'Only requests with a finding of this kind' -r
complete -c gate -n "__fish_gate_using_subcommand audit; and not __fish_seen_subcommand_from verify help" -l id -d 'Only the request with this id (any unique prefix)' -r
complete -c gate -n "__fish_gate_using_subcommand audit; and not __fish_seen_subcommand_from verify help" -l limit -d 'Only the last N requests' -r
complete -c gate -n "__fish_gate_using_subcommand audit; and not __fish_seen_subcommand_from verify help" -l policy -d 'Policy file to use (outranks $GATE_POLICY; a system policy in /etc/gate still applies on top)' -r -F
complete -c gate -n "__fish_gate_using_subcommand audit; and not __fish_seen_subcommand_from verify help" -l json -d 'Print the records as JSON Lines'
complete -c gate -n "__fish_gate_using_subcommand audit; and not __fish_seen_subcommand_from verify help" -l follow -d 'Keep printing records as they are appended'
complete -c gate -n "__fish_gate_using_subcommand audit; and not __fish_seen_subcommand_from verify help" -s h -l help -d 'Print help'
complete -c gate -n "__fish_gate_using_subcommand audit; and not __fish_seen_subcommand_from verify help" -s V -l version -d 'Print version'
complete -c gate -n "__fish_gate_using_subcommand audit; and not __fish_seen_subcommand_from verify help" -f -a "verify" -d 'Check the hash chain; exits 1 naming the first bad record on any edit, deletion, reorder or truncation'
complete -c gate -n "__fish_gate_using_subcommand audit; and not __fish_seen_subcommand_from verify help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c gate -n "__fish_gate_using_subcommand audit; and __fish_seen_subcommand_from verify" -l policy -d 'Policy file to use (outranks $GATE_POLICY; a system policy in /etc/gate still applies on top)' -r -F
complete -c gate -n "__fish_gate_using_subcommand audit; and __fish_seen_subcommand_from verify" -s h -l help -d 'Print help'
complete -c gate -n "__fish_gate_using_subcommand audit; and __fish_seen_subcommand_from verify" -s V -l version -d 'Print version'
complete -c gate -n "__fish_gate_using_subcommand audit; and __fish_seen_subcommand_from help" -f -a "verify" -d 'Check the hash chain; exits 1 naming the first bad record on any edit, deletion, reorder or truncation'
complete -c gate -n "__fish_gate_using_subcommand audit; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c gate -n "__fish_gate_using_subcommand serve; and not __fish_seen_subcommand_from token link help" -l config -d 'The broker\'s config file (listen address, public URL, store)' -r -F
complete -c gate -n "__fish_gate_using_subcommand serve; and not __fish_seen_subcommand_from token link help" -l listen -d 'The address to listen on, e.g. 0.0.0.0:8088 (outranks `listen:` in the config; port 0 picks one)' -r
complete -c gate -n "__fish_gate_using_subcommand serve; and not __fish_seen_subcommand_from token link help" -l log -d 'How much to log on stderr: error, warn, info or debug' -r -f -a "error\t''
warn\t''
info\t''
debug\t''
trace\t''"
complete -c gate -n "__fish_gate_using_subcommand serve; and not __fish_seen_subcommand_from token link help" -l policy -d 'Policy file to use (outranks $GATE_POLICY; a system policy in /etc/gate still applies on top)' -r -F
complete -c gate -n "__fish_gate_using_subcommand serve; and not __fish_seen_subcommand_from token link help" -s h -l help -d 'Print help'
complete -c gate -n "__fish_gate_using_subcommand serve; and not __fish_seen_subcommand_from token link help" -s V -l version -d 'Print version'
complete -c gate -n "__fish_gate_using_subcommand serve; and not __fish_seen_subcommand_from token link help" -f -a "token" -d 'Create, list and revoke the bearer tokens of requesters and reviewers'
complete -c gate -n "__fish_gate_using_subcommand serve; and not __fish_seen_subcommand_from token link help" -f -a "link" -d 'Print a signed, single-use link that signs a reviewer in to one request'
complete -c gate -n "__fish_gate_using_subcommand serve; and not __fish_seen_subcommand_from token link help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c gate -n "__fish_gate_using_subcommand serve; and __fish_seen_subcommand_from token" -l config -d 'The broker\'s config file (listen address, public URL, store)' -r -F
complete -c gate -n "__fish_gate_using_subcommand serve; and __fish_seen_subcommand_from token" -l policy -d 'Policy file to use (outranks $GATE_POLICY; a system policy in /etc/gate still applies on top)' -r -F
complete -c gate -n "__fish_gate_using_subcommand serve; and __fish_seen_subcommand_from token" -s h -l help -d 'Print help'
complete -c gate -n "__fish_gate_using_subcommand serve; and __fish_seen_subcommand_from token" -s V -l version -d 'Print version'
complete -c gate -n "__fish_gate_using_subcommand serve; and __fish_seen_subcommand_from token" -f -a "create" -d 'Create a token and print it once; the broker keeps only its hash'
complete -c gate -n "__fish_gate_using_subcommand serve; and __fish_seen_subcommand_from token" -f -a "list" -d 'List tokens (never their secrets)'
complete -c gate -n "__fish_gate_using_subcommand serve; and __fish_seen_subcommand_from token" -f -a "revoke" -d 'Revoke a token at once, on every replica'
complete -c gate -n "__fish_gate_using_subcommand serve; and __fish_seen_subcommand_from token" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c gate -n "__fish_gate_using_subcommand serve; and __fish_seen_subcommand_from link" -l reviewer -d 'The reviewer the link signs in' -r
complete -c gate -n "__fish_gate_using_subcommand serve; and __fish_seen_subcommand_from link" -l config -d 'The broker\'s config file (listen address, public URL, store)' -r -F
complete -c gate -n "__fish_gate_using_subcommand serve; and __fish_seen_subcommand_from link" -l policy -d 'Policy file to use (outranks $GATE_POLICY; a system policy in /etc/gate still applies on top)' -r -F
complete -c gate -n "__fish_gate_using_subcommand serve; and __fish_seen_subcommand_from link" -s h -l help -d 'Print help'
complete -c gate -n "__fish_gate_using_subcommand serve; and __fish_seen_subcommand_from link" -s V -l version -d 'Print version'
complete -c gate -n "__fish_gate_using_subcommand serve; and __fish_seen_subcommand_from help" -f -a "token" -d 'Create, list and revoke the bearer tokens of requesters and reviewers'
complete -c gate -n "__fish_gate_using_subcommand serve; and __fish_seen_subcommand_from help" -f -a "link" -d 'Print a signed, single-use link that signs a reviewer in to one request'
complete -c gate -n "__fish_gate_using_subcommand serve; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c gate -n "__fish_gate_using_subcommand hook; and not __fish_seen_subcommand_from claude-code install help" -l policy -d 'Policy file to use (outranks $GATE_POLICY; a system policy in /etc/gate still applies on top)' -r -F
complete -c gate -n "__fish_gate_using_subcommand hook; and not __fish_seen_subcommand_from claude-code install help" -s h -l help -d 'Print help'
complete -c gate -n "__fish_gate_using_subcommand hook; and not __fish_seen_subcommand_from claude-code install help" -s V -l version -d 'Print version'
complete -c gate -n "__fish_gate_using_subcommand hook; and not __fish_seen_subcommand_from claude-code install help" -f -a "claude-code" -d 'The PreToolUse hook: reads Claude Code\'s JSON on stdin and answers on stdout; exits 2 on any failure'
complete -c gate -n "__fish_gate_using_subcommand hook; and not __fish_seen_subcommand_from claude-code install help" -f -a "install" -d 'Write the hook into Claude Code\'s settings and print what was written'
complete -c gate -n "__fish_gate_using_subcommand hook; and not __fish_seen_subcommand_from claude-code install help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c gate -n "__fish_gate_using_subcommand hook; and __fish_seen_subcommand_from claude-code" -l wait -d 'How long to wait for an approval before denying with the request id (0: never wait)' -r
complete -c gate -n "__fish_gate_using_subcommand hook; and __fish_seen_subcommand_from claude-code" -l policy -d 'Policy file to use (outranks $GATE_POLICY; a system policy in /etc/gate still applies on top)' -r -F
complete -c gate -n "__fish_gate_using_subcommand hook; and __fish_seen_subcommand_from claude-code" -s h -l help -d 'Print help'
complete -c gate -n "__fish_gate_using_subcommand hook; and __fish_seen_subcommand_from claude-code" -s V -l version -d 'Print version'
complete -c gate -n "__fish_gate_using_subcommand hook; and __fish_seen_subcommand_from install" -l settings -d 'The settings file to write (default: .claude/settings.json in this directory)' -r -F
complete -c gate -n "__fish_gate_using_subcommand hook; and __fish_seen_subcommand_from install" -l timeout -d 'The hook\'s time limit in seconds, written into the settings; the hook waits this less 10 s' -r
complete -c gate -n "__fish_gate_using_subcommand hook; and __fish_seen_subcommand_from install" -l policy -d 'Policy file to use (outranks $GATE_POLICY; a system policy in /etc/gate still applies on top)' -r -F
complete -c gate -n "__fish_gate_using_subcommand hook; and __fish_seen_subcommand_from install" -l managed -d 'Write the managed settings every user on this machine gets (/etc/claude-code/managed-settings.json)'
complete -c gate -n "__fish_gate_using_subcommand hook; and __fish_seen_subcommand_from install" -s h -l help -d 'Print help'
complete -c gate -n "__fish_gate_using_subcommand hook; and __fish_seen_subcommand_from install" -s V -l version -d 'Print version'
complete -c gate -n "__fish_gate_using_subcommand hook; and __fish_seen_subcommand_from help" -f -a "claude-code" -d 'The PreToolUse hook: reads Claude Code\'s JSON on stdin and answers on stdout; exits 2 on any failure'
complete -c gate -n "__fish_gate_using_subcommand hook; and __fish_seen_subcommand_from help" -f -a "install" -d 'Write the hook into Claude Code\'s settings and print what was written'
complete -c gate -n "__fish_gate_using_subcommand hook; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c gate -n "__fish_gate_using_subcommand shim; and not __fish_seen_subcommand_from install list remove exec help" -l policy -d 'Policy file to use (outranks $GATE_POLICY; a system policy in /etc/gate still applies on top)' -r -F
complete -c gate -n "__fish_gate_using_subcommand shim; and not __fish_seen_subcommand_from install list remove exec help" -s h -l help -d 'Print help'
complete -c gate -n "__fish_gate_using_subcommand shim; and not __fish_seen_subcommand_from install list remove exec help" -s V -l version -d 'Print version'
complete -c gate -n "__fish_gate_using_subcommand shim; and not __fish_seen_subcommand_from install list remove exec help" -f -a "install" -d 'Write a shim for each TOOL into DIR (created if needed)'
complete -c gate -n "__fish_gate_using_subcommand shim; and not __fish_seen_subcommand_from install list remove exec help" -f -a "list" -d 'List the gate shims in DIR'
complete -c gate -n "__fish_gate_using_subcommand shim; and not __fish_seen_subcommand_from install list remove exec help" -f -a "remove" -d 'Remove gate shims from DIR (every one when no TOOL is named); other files are left alone'
complete -c gate -n "__fish_gate_using_subcommand shim; and not __fish_seen_subcommand_from install list remove exec help" -f -a "exec" -d 'What a shim runs: find the real TOOL on PATH after DIR and run it through `gate run`'
complete -c gate -n "__fish_gate_using_subcommand shim; and not __fish_seen_subcommand_from install list remove exec help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c gate -n "__fish_gate_using_subcommand shim; and __fish_seen_subcommand_from install" -l policy -d 'Policy file to use (outranks $GATE_POLICY; a system policy in /etc/gate still applies on top)' -r -F
complete -c gate -n "__fish_gate_using_subcommand shim; and __fish_seen_subcommand_from install" -s h -l help -d 'Print help'
complete -c gate -n "__fish_gate_using_subcommand shim; and __fish_seen_subcommand_from install" -s V -l version -d 'Print version'
complete -c gate -n "__fish_gate_using_subcommand shim; and __fish_seen_subcommand_from list" -l policy -d 'Policy file to use (outranks $GATE_POLICY; a system policy in /etc/gate still applies on top)' -r -F
complete -c gate -n "__fish_gate_using_subcommand shim; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help'
complete -c gate -n "__fish_gate_using_subcommand shim; and __fish_seen_subcommand_from list" -s V -l version -d 'Print version'
complete -c gate -n "__fish_gate_using_subcommand shim; and __fish_seen_subcommand_from remove" -l policy -d 'Policy file to use (outranks $GATE_POLICY; a system policy in /etc/gate still applies on top)' -r -F
complete -c gate -n "__fish_gate_using_subcommand shim; and __fish_seen_subcommand_from remove" -s h -l help -d 'Print help'
complete -c gate -n "__fish_gate_using_subcommand shim; and __fish_seen_subcommand_from remove" -s V -l version -d 'Print version'
complete -c gate -n "__fish_gate_using_subcommand shim; and __fish_seen_subcommand_from exec" -l policy -d 'Policy file to use (outranks $GATE_POLICY; a system policy in /etc/gate still applies on top)' -r -F
complete -c gate -n "__fish_gate_using_subcommand shim; and __fish_seen_subcommand_from exec" -s h -l help -d 'Print help'
complete -c gate -n "__fish_gate_using_subcommand shim; and __fish_seen_subcommand_from exec" -s V -l version -d 'Print version'
complete -c gate -n "__fish_gate_using_subcommand shim; and __fish_seen_subcommand_from help" -f -a "install" -d 'Write a shim for each TOOL into DIR (created if needed)'
complete -c gate -n "__fish_gate_using_subcommand shim; and __fish_seen_subcommand_from help" -f -a "list" -d 'List the gate shims in DIR'
complete -c gate -n "__fish_gate_using_subcommand shim; and __fish_seen_subcommand_from help" -f -a "remove" -d 'Remove gate shims from DIR (every one when no TOOL is named); other files are left alone'
complete -c gate -n "__fish_gate_using_subcommand shim; and __fish_seen_subcommand_from help" -f -a "exec" -d 'What a shim runs: find the real TOOL on PATH after DIR and run it through `gate run`'
complete -c gate -n "__fish_gate_using_subcommand shim; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c gate -n "__fish_gate_using_subcommand init" -l policy -d 'Policy file to use (outranks $GATE_POLICY; a system policy in /etc/gate still applies on top)' -r -F
complete -c gate -n "__fish_gate_using_subcommand init" -s h -l help -d 'Print help'
complete -c gate -n "__fish_gate_using_subcommand init" -s V -l version -d 'Print version'
complete -c gate -n "__fish_gate_using_subcommand completions" -l policy -d 'Policy file to use (outranks $GATE_POLICY; a system policy in /etc/gate still applies on top)' -r -F
complete -c gate -n "__fish_gate_using_subcommand completions" -s h -l help -d 'Print help'
complete -c gate -n "__fish_gate_using_subcommand completions" -s V -l version -d 'Print version'
complete -c gate -n "__fish_gate_using_subcommand help; and not __fish_seen_subcommand_from run explain pending show approve deny cancel inbox policy audit serve hook shim init completions help" -f -a "run" -d 'Run a command if the policy allows it'
complete -c gate -n "__fish_gate_using_subcommand help; and not __fish_seen_subcommand_from run explain pending show approve deny cancel inbox policy audit serve hook shim init completions help" -f -a "explain" -d 'Show what gate would decide about a command, without running it'
complete -c gate -n "__fish_gate_using_subcommand help; and not __fish_seen_subcommand_from run explain pending show approve deny cancel inbox policy audit serve hook shim init completions help" -f -a "pending" -d 'List requests waiting for your approval'
complete -c gate -n "__fish_gate_using_subcommand help; and not __fish_seen_subcommand_from run explain pending show approve deny cancel inbox policy audit serve hook shim init completions help" -f -a "show" -d 'Show one request: the command, where it runs, what it does, who asked and why, and its votes'
complete -c gate -n "__fish_gate_using_subcommand help; and not __fish_seen_subcommand_from run explain pending show approve deny cancel inbox policy audit serve hook shim init completions help" -f -a "approve" -d 'Approve a request'
complete -c gate -n "__fish_gate_using_subcommand help; and not __fish_seen_subcommand_from run explain pending show approve deny cancel inbox policy audit serve hook shim init completions help" -f -a "deny" -d 'Deny a request; the requester sees your reason'
complete -c gate -n "__fish_gate_using_subcommand help; and not __fish_seen_subcommand_from run explain pending show approve deny cancel inbox policy audit serve hook shim init completions help" -f -a "cancel" -d 'Cancel your own request'
complete -c gate -n "__fish_gate_using_subcommand help; and not __fish_seen_subcommand_from run explain pending show approve deny cancel inbox policy audit serve hook shim init completions help" -f -a "inbox" -d 'Answer requests as they arrive, until Ctrl-C'
complete -c gate -n "__fish_gate_using_subcommand help; and not __fish_seen_subcommand_from run explain pending show approve deny cancel inbox policy audit serve hook shim init completions help" -f -a "policy" -d 'Check a policy file, or run its tests'
complete -c gate -n "__fish_gate_using_subcommand help; and not __fish_seen_subcommand_from run explain pending show approve deny cancel inbox policy audit serve hook shim init completions help" -f -a "audit" -d 'Show the audit trail, or verify it'
complete -c gate -n "__fish_gate_using_subcommand help; and not __fish_seen_subcommand_from run explain pending show approve deny cancel inbox policy audit serve hook shim init completions help" -f -a "serve" -d 'Run the approval broker: an HTTP API, a web approval page and a shared store'
complete -c gate -n "__fish_gate_using_subcommand help; and not __fish_seen_subcommand_from run explain pending show approve deny cancel inbox policy audit serve hook shim init completions help" -f -a "hook" -d 'Guard AI agents: the Claude Code hook and its installation'
complete -c gate -n "__fish_gate_using_subcommand help; and not __fish_seen_subcommand_from run explain pending show approve deny cancel inbox policy audit serve hook shim init completions help" -f -a "shim" -d 'Route tools through gate with wrapper executables'
complete -c gate -n "__fish_gate_using_subcommand help; and not __fish_seen_subcommand_from run explain pending show approve deny cancel inbox policy audit serve hook shim init completions help" -f -a "init" -d 'Write the starter policy and config (existing files are kept)'
complete -c gate -n "__fish_gate_using_subcommand help; and not __fish_seen_subcommand_from run explain pending show approve deny cancel inbox policy audit serve hook shim init completions help" -f -a "completions" -d 'Print a shell completion script'
complete -c gate -n "__fish_gate_using_subcommand help; and not __fish_seen_subcommand_from run explain pending show approve deny cancel inbox policy audit serve hook shim init completions help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c gate -n "__fish_gate_using_subcommand help; and __fish_seen_subcommand_from policy" -f -a "check" -d 'Validate a policy file (default: the policy in force). Exits 78 when it is invalid'
complete -c gate -n "__fish_gate_using_subcommand help; and __fish_seen_subcommand_from policy" -f -a "test" -d 'Run a policy\'s `tests:` cases and print expected against actual. Exits 1 on any mismatch'
complete -c gate -n "__fish_gate_using_subcommand help; and __fish_seen_subcommand_from audit" -f -a "verify" -d 'Check the hash chain; exits 1 naming the first bad record on any edit, deletion, reorder or truncation'
complete -c gate -n "__fish_gate_using_subcommand help; and __fish_seen_subcommand_from serve" -f -a "token" -d 'Create, list and revoke the bearer tokens of requesters and reviewers'
complete -c gate -n "__fish_gate_using_subcommand help; and __fish_seen_subcommand_from serve" -f -a "link" -d 'Print a signed, single-use link that signs a reviewer in to one request'
complete -c gate -n "__fish_gate_using_subcommand help; and __fish_seen_subcommand_from hook" -f -a "claude-code" -d 'The PreToolUse hook: reads Claude Code\'s JSON on stdin and answers on stdout; exits 2 on any failure'
complete -c gate -n "__fish_gate_using_subcommand help; and __fish_seen_subcommand_from hook" -f -a "install" -d 'Write the hook into Claude Code\'s settings and print what was written'
complete -c gate -n "__fish_gate_using_subcommand help; and __fish_seen_subcommand_from shim" -f -a "install" -d 'Write a shim for each TOOL into DIR (created if needed)'
complete -c gate -n "__fish_gate_using_subcommand help; and __fish_seen_subcommand_from shim" -f -a "list" -d 'List the gate shims in DIR'
complete -c gate -n "__fish_gate_using_subcommand help; and __fish_seen_subcommand_from shim" -f -a "remove" -d 'Remove gate shims from DIR (every one when no TOOL is named); other files are left alone'
complete -c gate -n "__fish_gate_using_subcommand help; and __fish_seen_subcommand_from shim" -f -a "exec" -d 'What a shim runs: find the real TOOL on PATH after DIR and run it through `gate run`'
