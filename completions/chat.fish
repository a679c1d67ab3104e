# fish completion for the chat programs. The same file is installed once per
# program (chat-stream.fish, chat-send.fish, ...); fish loads it by command
# name, and it then defines the completions of that command only. Sourced
# under any other name it defines them for every program.
# To add a program: add it to the list below and give it a case in
# __chat_complete_for.

function __chat_complete_for --argument-names c
    # the options every program shares
    complete -c $c -s m -l model -x -a 'gpt-4o-mini gpt-4o gpt-4.1 o3-mini openai:' -d 'Model, or provider:model'
    complete -c $c -s s -l system -x -d 'System prompt'
    complete -c $c -l max-tokens -x -d 'Limit the length of the reply'
    complete -c $c -l temperature -x -d 'Sampling temperature, 0 to 2'
    complete -c $c -l json -d 'Write records instead of plain text'
    complete -c $c -l text -d 'Read stdin as text even if it looks like records'
    complete -c $c -l retries -x -d 'Retries before the first token (default 2)'
    complete -c $c -l connect-timeout -x -d 'Seconds to connect (default 20)'
    complete -c $c -l idle-timeout -x -d 'Seconds of silence before giving up (default 300)'
    complete -c $c -s c -l continue -d 'Continue the most recent conversation'
    complete -c $c -l conversation -x -d 'Continue conversation ID or NAME'
    complete -c $c -l db -r -F -d 'History database'
    complete -c $c -l no-log -d 'Do not record the exchange in the history'
    complete -c $c -s q -l quiet -d 'No error messages for failed records'
    complete -c $c -s v -l verbose -d 'Trace the HTTP exchange on stderr (keys redacted)'
    complete -c $c -s h -l help -d 'Show the help'
    complete -c $c -l version -d 'Show the version'

    switch $c
        case chat-send
            complete -c $c -s r -l records -d 'Read prompt records from stdin'
    end
end

set -l __chat_programs chat-stream chat-send
set -l __chat_self (string replace -r '^.*/' '' -- (status current-filename) | string replace -r '\.fish$' '')
if contains -- $__chat_self $__chat_programs
    __chat_complete_for $__chat_self
else
    for __chat_c in $__chat_programs
        __chat_complete_for $__chat_c
    end
end
