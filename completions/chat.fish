# fish completion for the chat programs. The same file is installed once per
# program (chat-stream.fish, chat-send.fish, chat-cost.fish, ...); fish
# loads it by command name, and it then defines the completions of that
# command only. Sourced under any other name it defines them for every
# program.
# To add a program: add it to the list below and give it a case in
# __chat_complete_for.
# chat takes a program's name first ("chat send ..."), and the rest of the
# line then completes as that program's ("chat-send ...").

# chat-history: the words before the cursor that are not options or their
# values, one a line: the command first, then its arguments. Options may come
# anywhere, as getopt permutes them.
function __chat_history_args
    set -l tokens (commandline -opc)
    set -e tokens[1]
    set -l skip 0
    set -l ended 0
    for t in $tokens
        if test $skip = 1
            set skip 0
            continue
        end
        if test $ended = 0
            switch $t
                case --
                    set ended 1
                    continue
                case '--*=*'
                    continue
                case --limit --offset --model --since --until --before --db
                    set skip 1
                    continue
                case '--*'
                    continue
                case '-*n' # -n N, or a cluster such as -qn N
                    set skip 1
                    continue
                case '-?*'
                    continue
            end
        end
        printf '%s\n' $t
    end
end

# true when no command has been given yet
function __chat_history_needs_command
    test (count (__chat_history_args)) -eq 0
end

# __chat_history_arg N|any COMMAND...: true when the word being completed is
# argument N (or any argument) of one of the COMMANDs
function __chat_history_arg --argument-names n
    set -l a (__chat_history_args)
    test (count $a) -ge 1; and contains -- $a[1] $argv[2..-1]; or return 1
    test $n = any; or test (count $a) -eq $n
end

# The conversations (names, else ids) from "chat-history names", reading the
# history named by a --db given earlier on the line.
function __chat_history_names
    set -l tokens (commandline -opc)
    set -l prog (string replace -r '^~/' "$HOME/" -- $tokens[1])
    string match -q '*/*' -- $prog; or set prog chat-history
    set -l db
    set -l i 2
    while test $i -le (count $tokens)
        switch $tokens[$i]
            case --
                break
            case --db
                set i (math $i + 1)
                set db $tokens[$i]
            case '--db=*'
                set db (string replace -- --db= '' $tokens[$i])
        end
        set i (math $i + 1)
    end
    set db (string replace -r '^~/' "$HOME/" -- $db)
    command -q $prog; or return
    if test -n "$db"
        $prog --db $db names 2>/dev/null
    else
        $prog names 2>/dev/null
    end
end

function __chat_history_complete --argument-names c
    complete -c $c -f
    complete -c $c -s n -l limit -x -d 'At most N results of list or search (0: all)'
    complete -c $c -l offset -x -d 'Skip the first N results'
    complete -c $c -l model -x -a 'gpt-4o-mini gpt-4o gpt-4.1 gpt-5 o3-mini o4-mini claude-sonnet-4-5 claude-haiku-4-5 gemini-2.5-flash gemini-2.5-pro openai: anthropic: gemini: ollama: openrouter: groq: together: deepseek: xai: mistral: vllm: llamacpp: lmstudio:' -d 'search: only replies from MODEL'
    complete -c $c -l since -x -d 'search: on or after DATE (YYYY-MM-DD)'
    complete -c $c -l until -x -d 'search: before DATE'
    complete -c $c -l before -x -d 'prune: the cut-off DATE'
    complete -c $c -l dry-run -d 'prune: only count'
    complete -c $c -l media -d "export: include attachments' bytes"
    complete -c $c -l json -d 'Write records instead of text'
    complete -c $c -l db -r -F -d 'History database'
    complete -c $c -s q -l quiet -d 'No summary lines on stderr'
    complete -c $c -s v -l verbose -d 'More detail on stderr'
    complete -c $c -s h -l help -d 'Show the help'
    complete -c $c -l version -d 'Show the version'

    set -l cmd -c $c -n __chat_history_needs_command
    complete $cmd -a list -d 'Conversations, newest first'
    complete $cmd -a show -d 'One conversation as a transcript'
    complete $cmd -a search -d 'Full-text search with highlighted snippets'
    complete $cmd -a export -d 'Conversation and message records'
    complete $cmd -a import -d 'Read export records'
    complete $cmd -a rm -d 'Remove conversations'
    complete $cmd -a rename -d 'Give a conversation a new name'
    complete $cmd -a stats -d 'Counts, tokens and size'
    complete $cmd -a prune -d 'Remove conversations last updated before --before DATE'
    complete $cmd -a names -d 'Names and ids, one per line'

    complete -c $c -n '__chat_history_arg 1 show rename; or __chat_history_arg any export rm' \
        -k -a '(__chat_history_names)' -d Conversation
    complete -c $c -n '__chat_history_arg any import' -F
end

function __chat_upload_complete --argument-names c
    complete -c $c -F
    complete -c $c -s m -l model -x -a 'gpt-4o-mini gpt-4o gpt-4.1 gpt-5 o3-mini o4-mini claude-sonnet-4-5 claude-haiku-4-5 gemini-2.5-flash gemini-2.5-pro openai: anthropic: gemini: ollama: openrouter: groq: together: deepseek: xai: mistral: vllm: llamacpp: lmstudio:' -d 'Shrink for the model, refuse what it cannot take'
    complete -c $c -l max-side -x -d 'Longest side in pixels (default 2048)'
    complete -c $c -l quality -x -a 'low medium high' -d 'JPEG quality (default medium)'
    complete -c $c -l flatten -x -a 'white black' -d 'Drop transparency onto COLOR (#rrggbb, white, black)'
    complete -c $c -l max-bytes -x -d 'Refuse inputs over N bytes (default 20M)'
    complete -c $c -s o -l output -r -F -d 'Write the processed image to FILE, not a record'
    complete -c $c -s q -l quiet -d 'No messages for files that fail'
    complete -c $c -s v -l verbose -d 'Say what was done to each file'
    complete -c $c -s h -l help -d 'Show the help'
    complete -c $c -l version -d 'Show the version'
end

# chat-cost --by takes a comma-separated list: offer each grouping after
# those already given.
function __chat_cost_by
    set -l tok (commandline -ct | string replace -r -- '^--by=' '')
    set -l done (string replace -r -- '[^,]*$' '' $tok)
    for g in model provider day month conversation kind
        printf '%s%s\n' $done $g
    end
end

function __chat_cost_complete --argument-names c
    complete -c $c -F
    complete -c $c -l history -d 'Add up the history (the default on a terminal)'
    complete -c $c -l by -x -a '(__chat_cost_by)' -d 'Group by these, comma-separated (default model)'
    complete -c $c -l since -x -d 'Only replies on or after DATE (YYYY-MM-DD, UTC)'
    complete -c $c -l until -x -d 'Only replies before DATE'
    complete -c $c -l count -d 'Count the tokens of text or prompt records, offline'
    complete -c $c -s m -l model -x -a 'gpt-4o-mini gpt-4o gpt-4.1 gpt-5 o3-mini o4-mini claude-sonnet-4-5 claude-haiku-4-5 gemini-2.5-flash gemini-2.5-pro openai: anthropic: gemini: ollama: openrouter: groq: together: deepseek: xai: mistral: vllm: llamacpp: lmstudio:' -d 'The model to count and price for'
    complete -c $c -l encoding -x -a 'o200k_base cl100k_base' -d 'Count with this encoding'
    complete -c $c -s f -l file -r -F -d '--count: the blocks chat-send -f PATH would add'
    complete -c $c -s r -l records -d '--count: read prompt records'
    complete -c $c -l text -d '--count: read plain text even if it looks like records'
    complete -c $c -l budget -x -d "Exit 3 when this period's spend has reached USD"
    complete -c $c -l period -x -a 'day month' -d 'The budget period, in UTC (default month)'
    complete -c $c -l json -d 'Write cost (or count) records instead of a table'
    complete -c $c -l db -r -F -d 'History database'
    complete -c $c -s q -l quiet -d 'No notes on stderr'
    complete -c $c -s v -l verbose -d 'More detail on stderr'
    complete -c $c -s h -l help -d 'Show the help'
    complete -c $c -l version -d 'Show the version'
end

function __chat_split_complete --argument-names c
    complete -c $c -F
    complete -c $c -s n -l tokens -x -d 'At most N tokens a part (required)'
    complete -c $c -s m -l model -x -a 'gpt-4o-mini gpt-4o gpt-4.1 gpt-5 o3-mini o4-mini claude-sonnet-4-5 claude-haiku-4-5 gemini-2.5-flash gemini-2.5-pro openai: anthropic: gemini: ollama: openrouter: groq: together: deepseek: xai: mistral: vllm: llamacpp: lmstudio:' -d "Count with the model's encoding"
    complete -c $c -l encoding -x -a 'o200k_base cl100k_base' -d 'Count with this encoding'
    complete -c $c -l id -x -d 'Ids PREFIX-1, PREFIX-2, ... (default: the file name)'
    complete -c $c -s q -l quiet -d 'No notes on stderr'
    complete -c $c -s v -l verbose -d 'Say how each input was cut'
    complete -c $c -s h -l help -d 'Show the help'
    complete -c $c -l version -d 'Show the version'
end

function __chat_image_complete --argument-names c
    complete -c $c -f
    complete -c $c -s m -l model -x -a 'gpt-image-1 dall-e-3 gemini-2.5-flash-image openai: gemini:' -d 'The image model'
    complete -c $c -s n -l count -x -d 'How many images, 1 to 10 (default 1)'
    complete -c $c -l size -x -a '1024x1024 1536x1024 1024x1536 1792x1024 1024x1792 auto 1:1 16:9 9:16 4:3 3:4' -d 'WxH the model takes, or auto; Gemini: an aspect ratio'
    complete -c $c -l quality -x -a 'low medium high auto standard hd' -d 'Image quality'
    complete -c $c -l style -x -a 'vivid natural' -d 'dall-e-3 style'
    complete -c $c -l format -x -a 'png jpeg' -d 'png or jpeg'
    complete -c $c -l image -r -F -d 'Edit this image'
    complete -c $c -s o -l output -r -F -d 'Write FILE (with -n: FILE-1.png, ...)'
    complete -c $c -l dir -x -a '(__fish_complete_directories)' -d 'Write into DIR, named from the prompt'
    complete -c $c -l force -d 'Replace existing files'
    complete -c $c -l json -d 'Write image records instead of paths'
    complete -c $c -l max-cost -x -d 'Refuse when the images could cost more than USD'
    complete -c $c -l retries -x -d 'Retries on 408, 409, 429, 5xx, network (default 2)'
    complete -c $c -l connect-timeout -x -d 'Seconds to connect (default 20)'
    complete -c $c -l timeout -x -d 'Seconds for a whole request (default none)'
    complete -c $c -l db -r -F -d 'History database'
    complete -c $c -l no-log -d 'Do not record the images in the history'
    complete -c $c -l dry-run -d 'Print the request(s) as records; send nothing'
    complete -c $c -s q -l quiet -d 'No error messages'
    complete -c $c -s v -l verbose -d 'Trace the HTTP exchange on stderr (keys redacted)'
    complete -c $c -s h -l help -d 'Show the help'
    complete -c $c -l version -d 'Show the version'
end

# chat-batch: true when no command has been given yet
function __chat_batch_needs_command
    set -l tokens (commandline -opc)
    set -e tokens[1]
    set -l skip 0
    for t in $tokens
        if test $skip = 1
            set skip 0
            continue
        end
        switch $t
            case --model --system --max-tokens --temperature --retries --connect-timeout --db -m -s
                set skip 1
            case '-*'
            case '*'
                return 1
        end
    end
    return 0
end

function __chat_batch_complete --argument-names c
    complete -c $c -f
    complete -c $c -s m -l model -x -a 'gpt-4o-mini gpt-4o gpt-4.1 gpt-5 o3-mini o4-mini claude-sonnet-4-5 claude-haiku-4-5 gemini-2.5-flash gemini-2.5-pro openai: anthropic: gemini:' -d 'submit: model for records that name none'
    complete -c $c -s s -l system -x -d 'submit: system prompt for records that have none'
    complete -c $c -l max-tokens -x -d "submit: limit each reply's length"
    complete -c $c -l temperature -x -d 'submit: sampling temperature, 0 to 2'
    complete -c $c -l force -d 'submit: a new job even for input already sent'
    complete -c $c -l only-failed -d 'submit: only records whose ids failed before'
    complete -c $c -l dry-run -d 'submit: print the requests; send and save nothing'
    complete -c $c -l all-done -d 'collect: every job that has ended'
    complete -c $c -l wait -d 'Wait until the jobs end, asking with backoff'
    complete -c $c -l ids -d 'Job records list the ids each job covers'
    complete -c $c -l retries -x -d 'Retries on 408, 409, 429, 5xx, network (default 2)'
    complete -c $c -l connect-timeout -x -d 'Seconds to connect (default 20)'
    complete -c $c -l db -r -F -d 'History database'
    complete -c $c -l no-log -d 'Do not record the replies in the history'
    complete -c $c -s q -l quiet -d 'No notes, no messages for failed records'
    complete -c $c -s v -l verbose -d 'Trace the HTTP exchanges on stderr (keys redacted)'
    complete -c $c -s h -l help -d 'Show the help'
    complete -c $c -l version -d 'Show the version'

    set -l cmd -c $c -n __chat_batch_needs_command
    complete $cmd -a submit -d 'Send prompt records as batch jobs'
    complete $cmd -a status -d 'Ask how the open jobs (or JOBs) stand'
    complete $cmd -a collect -d "Write ended jobs' results as records"
    complete $cmd -a cancel -d 'Ask the provider to stop the JOBs'
    complete $cmd -a list -d 'Every job in the history'
end

# chat-key: true when no command has been given yet
function __chat_key_needs_command
    set -l tokens (commandline -opc)
    set -e tokens[1]
    for t in $tokens
        switch $t
            case '-*'
            case '*'
                return 1
        end
    end
    return 0
end

# The providers chat-key knows: the first word of each line of "chat-key list".
function __chat_key_providers
    set -l prog (commandline -opc)[1]
    string match -q '*/*' -- $prog; or set prog chat-key
    $prog list 2>/dev/null | string replace -r ' .*' ''
end

function __chat_key_complete --argument-names c
    complete -c $c -f
    complete -c $c -l json -d 'list: records instead of text'
    complete -c $c -s q -l quiet -d 'No notes on stderr'
    complete -c $c -s v -l verbose -d 'Say each step on stderr'
    complete -c $c -s h -l help -d 'Show the help'
    complete -c $c -l version -d 'Show the version'

    set -l cmd -c $c -n __chat_key_needs_command
    complete $cmd -a set -d 'Store a key, typed without echo or from stdin'
    complete $cmd -a list -d 'Whether each provider has a key, and where from'
    complete $cmd -a rm -d 'Remove the stored key and its config line'
    complete -c $c -n 'not __chat_key_needs_command' -a '(__chat_key_providers)' -d Provider
end

# The saved templates: the files of $XDG_CONFIG_HOME/chat/templates (else
# ~/.config/chat/templates), less editors' backups.
function __chat_templates
    set -l dir ~/.config/chat/templates
    if set -q XDG_CONFIG_HOME; and test -n "$XDG_CONFIG_HOME"
        set dir $XDG_CONFIG_HOME/chat/templates
    end
    for f in $dir/*
        test -f $f; or continue
        string match -q -- '*~' $f; and continue
        string replace -r -- '.*/' '' $f
    end
end

# True when the word being completed is the VALUE of an option that takes
# two words, NAME then VALUE (-p, --param, --arg, --argjson).
function __chat_pair_value
    set -l tokens (commandline -opc)
    set -l n (count $tokens)
    test $n -ge 1; or return 1
    string match -qr -- '^--(param|arg|argjson)=' $tokens[$n]; and return 0
    test $n -ge 2; or return 1
    string match -qr -- '^(--param|--arg|--argjson|-[rcqvh]*p)$' $tokens[(math $n - 1)]
end

# chat: true when the word being completed is its first argument
function __chat_front_first
    test (count (commandline -opc)) -eq 1
end

# chat: true when its first argument names a program
function __chat_front_program
    set -l tokens (commandline -opc)
    test (count $tokens) -ge 2; or return 1
    contains -- $tokens[2] stream send history upload cost image batch split key
end

# The completions of "chat PROGRAM ARGS...", those of "chat-PROGRAM ARGS...",
# the one beside chat when chat was named by its path.
function __chat_front_delegate
    set -l tokens (commandline -opc)
    set -l prog chat-$tokens[2]
    string match -q '*/*' -- $tokens[1]; and set prog (string replace -r '[^/]*$' '' -- $tokens[1])$prog
    set -l line (string escape -- $prog $tokens[3..-1])
    complete -C (string join ' ' -- $line (commandline -ct))
end

function __chat_front_complete --argument-names c
    complete -c $c -f
    complete -c $c -n 'not __chat_front_program' -s m -l model -x -a 'gpt-4o-mini gpt-4o gpt-4.1 gpt-5 o3-mini o4-mini claude-sonnet-4-5 claude-haiku-4-5 gemini-2.5-flash gemini-2.5-pro openai: anthropic: gemini: ollama: openrouter: groq: together: deepseek: xai: mistral: vllm: llamacpp: lmstudio:' -d 'Model, or provider:model'
    complete -c $c -n 'not __chat_front_program' -s s -l system -x -d 'System prompt'
    complete -c $c -n 'not __chat_front_program' -s c -l continue -d 'Continue the most recent conversation'
    complete -c $c -n 'not __chat_front_program' -l conversation -x -d 'Continue conversation ID or NAME'
    complete -c $c -n 'not __chat_front_program' -s f -l file -r -F -d 'Add a text file, folder, glob or URL to the first prompt'
    complete -c $c -n 'not __chat_front_program' -l raw -d 'Show replies as sent, not rendered from Markdown'
    complete -c $c -n 'not __chat_front_program' -l db -r -F -d 'History database'
    complete -c $c -n 'not __chat_front_program' -s q -l quiet -d 'No banner and no warnings'
    complete -c $c -n 'not __chat_front_program' -s v -l verbose -d 'Trace the HTTP exchanges on stderr (keys redacted)'
    complete -c $c -n 'not __chat_front_program' -s h -l help -d 'Show the help'
    complete -c $c -n 'not __chat_front_program' -l version -d 'Show the version'

    # the first word is a program; the words of a prompt come after options
    set -l first -c $c -n __chat_front_first
    complete $first -a stream -d 'Send one prompt and write the reply as it arrives'
    complete $first -a send -d 'Send prompts or prompt records; print complete replies'
    complete $first -a history -d 'List, show, search, export and import the history'
    complete $first -a upload -d 'Make images, PDFs, audio and video ready for a model'
    complete $first -a cost -d 'Token counts, spend, budgets'
    complete $first -a image -d 'Generate images'
    complete $first -a batch -d "Large jobs through the providers' batch APIs"
    complete $first -a split -d 'Cut long input into parts that fit a model'
    complete $first -a key -d 'Store, list and remove API keys'
    complete -c $c -n 'not __chat_front_first; and not __chat_front_program' -F
    complete -c $c -n __chat_front_program -a '(__chat_front_delegate)'
end

function __chat_complete_for --argument-names c
    if test $c = chat
        __chat_front_complete $c
        return
    end
    if test $c = chat-key
        __chat_key_complete $c
        return
    end
    if test $c = chat-batch
        __chat_batch_complete $c
        return
    end
    if test $c = chat-image
        __chat_image_complete $c
        return
    end
    if test $c = chat-cost
        __chat_cost_complete $c
        return
    end
    if test $c = chat-split
        __chat_split_complete $c
        return
    end
    if test $c = chat-history
        __chat_history_complete $c
        return
    end
    if test $c = chat-upload
        __chat_upload_complete $c
        return
    end
    # the options every program shares
    complete -c $c -s m -l model -x -a 'gpt-4o-mini gpt-4o gpt-4.1 gpt-5 o3-mini o4-mini claude-sonnet-4-5 claude-haiku-4-5 gemini-2.5-flash gemini-2.5-pro openai: anthropic: gemini: ollama: openrouter: groq: together: deepseek: xai: mistral: vllm: llamacpp: lmstudio:' -d 'Model, or provider:model'
    complete -c $c -l fallback -x -a 'gpt-4o-mini gpt-4o gpt-4.1 gpt-5 o3-mini o4-mini claude-sonnet-4-5 claude-haiku-4-5 gemini-2.5-flash gemini-2.5-pro openai: anthropic: gemini: ollama: openrouter: groq: together: deepseek: xai: mistral: vllm: llamacpp: lmstudio:' -d 'The next model when one stays unavailable'
    complete -c $c -s s -l system -x -d 'System prompt'
    complete -c $c -s a -l attach -r -F -d 'Attach an image, PDF, audio or video (chat-upload)'
    complete -c $c -s f -l file -r -F -d 'Add a text file, folder, glob or URL in a fenced block'
    complete -c $c -l files-max -x -d 'The most bytes of -f files for one prompt (default 1M)'
    complete -c $c -l allow-http -d 'Let -a and -f fetch http:// URLs too'
    complete -c $c -l send-url -d 'Give image URLs to OpenAI and Anthropic as URLs, unfetched'
    complete -c $c -l fetch-timeout -x -d 'Seconds for one URL fetch (default 60)'
    complete -c $c -l max-tokens -x -d 'Limit the length of the reply'
    complete -c $c -l temperature -x -d 'Sampling temperature, 0 to 2'
    complete -c $c -l max-cost -x -d 'Refuse a request that could cost more than USD'
    complete -c $c -l json -d 'Write records instead of plain text'
    complete -c $c -l text -d 'Read stdin as text even if it looks like records'
    complete -c $c -l retries -x -d 'Retries before the first token (default 2)'
    complete -c $c -l connect-timeout -x -d 'Seconds to connect (default 20)'
    complete -c $c -l idle-timeout -x -d 'Seconds of silence mid-reply before giving up (default 300)'
    complete -c $c -l timeout -x -d 'Seconds for a whole attempt (default none)'
    complete -c $c -s c -l continue -d 'Continue the most recent conversation'
    complete -c $c -l conversation -x -d 'Continue conversation ID or NAME'
    complete -c $c -l db -r -F -d 'History database'
    complete -c $c -l no-log -d 'Do not record the exchange in the history'
    complete -c $c -l dry-run -d 'Print the request as a record; send and log nothing'
    complete -c $c -s q -l quiet -d 'No error messages for failed records'
    complete -c $c -s v -l verbose -d 'Trace the HTTP exchange on stderr (keys redacted)'
    complete -c $c -s h -l help -d 'Show the help'
    complete -c $c -l version -d 'Show the version'

    # chat-stream and chat-send: prompts made of records by jq, saved
    # templates, answers as data and the cache
    complete -c $c -s t -l template -x -a '(__chat_templates)' -d 'A saved template (--templates lists them)'
    complete -c $c -s p -l param -x -d "Set the template's (or jq's) \$NAME: NAME VALUE"
    complete -c $c -l schema -r -F -d 'Answer as JSON that follows this JSON Schema (a file, or the JSON)'
    complete -c $c -l data -d 'Print only the parsed answer (with --schema)'
    complete -c $c -l prompt-jq -x -d 'A jq program that makes the prompt of a record'
    complete -c $c -l system-jq -x -d 'A jq program that makes the system prompt of a record'
    complete -c $c -l id-jq -x -d 'A jq program that makes the id of a record'
    complete -c $c -l arg -x -d 'Set the jq variable $NAME to a string: NAME VALUE'
    complete -c $c -l argjson -x -d 'Set the jq variable $NAME to JSON: NAME JSON'
    complete -c $c -l templates -d 'List the saved templates'
    complete -c $c -l save -x -a '(__chat_templates)' -d 'Save the options given as a template, and send nothing'
    complete -c $c -l force -d 'Let --save replace a template'
    complete -c $c -l cache -d 'Answer identical requests from the history, offline'
    complete -c $c -l cache-ttl -x -d 'As --cache, with answers younger than AGE (90m, 12h, 7d)'
    complete -c $c -l think-timeout -x -d 'Seconds to wait for the first byte of the reply (default 600)'
    complete -c $c -l context -x -d 'Send only the last N earlier turns (0: none)'
    complete -c $c -s x -l extract -d 'Print only the first fenced code block of the reply'
    complete -c $c -l extract-all -d 'Print every fenced code block of the reply'
    complete -c $c -l extract-lang -x -a 'sh bash python jq sql json javascript c go rust' -d 'Print only the first code block in LANG'
    complete -c $c -l truncate -d 'Cut a prompt too large for the window, keeping its head and tail'
    complete -c $c -l wait-limit -d "Wait out a provider's pause longer than two minutes"
    # the VALUE after NAME is free text: no files
    complete -c $c -n __chat_pair_value -f

    switch $c
        case chat-stream
            complete -c $c -l render -d "Render the reply's Markdown as it streams"
            complete -c $c -l raw -d 'Write the reply as sent (the default)'
        case chat-send
            complete -c $c -s r -l records -d 'Read prompt records from stdin'
            complete -c $c -l parallel -x -d 'Records: N requests at once (default 1)'
            complete -c $c -l ordered -d 'Records: results in input order'
            complete -c $c -l skip-done -d 'Records: skip ids the history has answered'
            complete -c $c -l models -d 'List the model table'
            complete -c $c -l remote -d "With --models: ask the providers for their model lists"
    end
end

set -l __chat_programs chat chat-stream chat-send chat-history chat-upload chat-cost chat-image chat-batch chat-split chat-key
set -l __chat_self (string replace -r '^.*/' '' -- (status current-filename) | string replace -r '\.fish$' '')
if contains -- $__chat_self $__chat_programs
    __chat_complete_for $__chat_self
else
    for __chat_c in $__chat_programs
        __chat_complete_for $__chat_c
    end
end
