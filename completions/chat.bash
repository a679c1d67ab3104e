# bash completion for the chat programs. Sourcing this file registers
# completion for every program in _chat_programs; it needs no other package.
#
# Each program's options are a list of "SPELLINGS=KIND" entries: the spellings
# separated by '|', and the kind of value the option takes:
#   flag  none          model  a model name    text  free text
#   num   a number      file   a path          dir   a directory
#   date  YYYY-MM-DD    quality  low, medium, high    color  white, black
#   by    a comma-separated list of model, provider, day, month, conversation, kind
#   period  day, month  encoding  o200k_base, cl100k_base
#   imodel  an image model   size  an image size or aspect ratio
#   iquality  low ... hd     style  vivid, natural   format  png, jpeg
#   template  a saved template, from the templates folder
#   pair  two words, NAME then VALUE: nothing is offered for either
# To add a program, add its name to _chat_programs and a case to _chat_options
# (and, for one that "chat PROGRAM" runs, to _chat_front_programs).
# chat itself takes the name of a program first ("chat send ..."), and the
# rest of the line then completes as that program's ("chat-send ...").
# chat-history, chat-batch and chat-key also take a command (list, show,
# ...; submit, status, ...; set, list, rm) and chat-history and chat-key
# their arguments; conversations are completed from "chat-history names",
# providers from "chat-key list".

_chat_programs='chat chat-stream chat-send chat-history chat-upload chat-cost chat-image chat-batch chat-split chat-key'
_chat_front_programs='stream send history upload cost image batch split key'
_chat_history_commands='list show search export import rm rename stats prune names'
_chat_batch_commands='submit status collect cancel list'
_chat_key_commands='set list rm'
_chat_models='gpt-4o-mini gpt-4o gpt-4.1 gpt-5 o3-mini o4-mini claude-sonnet-4-5 claude-haiku-4-5 gemini-2.5-flash gemini-2.5-pro openai: anthropic: gemini: ollama: openrouter: groq: together: deepseek: xai: mistral: vllm: llamacpp: lmstudio:'

# The options every program shares (DESIGN.md, "Common flags").
_chat_common='-m|--model=model --fallback=model -s|--system=text -a|--attach=file -f|--file=file
	--files-max=num --allow-http=flag --send-url=flag --fetch-timeout=num --max-tokens=num
	--temperature=num --max-cost=num --json=flag --text=flag --retries=num
	--connect-timeout=num --idle-timeout=num --timeout=num
	-c|--continue=flag --conversation=text --db=file --no-log=flag
	-q|--quiet=flag -v|--verbose=flag -h|--help=flag --version=flag'

# What chat-stream and chat-send add to them: prompts made of records by jq,
# saved templates, answers as data and the cache.
_chat_prompting='-t|--template=template -p|--param=pair --schema=file --data=flag
	--prompt-jq=text --system-jq=text --id-jq=text --arg=pair --argjson=pair
	--templates=flag --cache=flag --cache-ttl=text --think-timeout=num
	--context=num --truncate=flag --wait-limit=flag --save=template --force=flag --dry-run=flag
	-x|--extract=flag --extract-all=flag --extract-lang=text'

_chat_options() {
	case $1 in
	chat) printf '%s\n' '-m|--model=model -s|--system=text -f|--file=file -c|--continue=flag --conversation=text
		--raw=flag --db=file -q|--quiet=flag -v|--verbose=flag -h|--help=flag --version=flag' ;;
	chat-stream) printf '%s\n' "$_chat_common $_chat_prompting --render=flag --raw=flag" ;;
	chat-send) printf '%s\n' "$_chat_common $_chat_prompting -r|--records=flag --parallel=num
		--ordered=flag --skip-done=flag --models=flag --remote=flag" ;;
	chat-history) printf '%s\n' '-n|--limit=num --offset=num --model=model
		--since=date --until=date --before=date --dry-run=flag --media=flag
		--json=flag --db=file -q|--quiet=flag -v|--verbose=flag -h|--help=flag
		--version=flag' ;;
	chat-upload) printf '%s\n' '-m|--model=model --max-side=num --quality=quality
		--flatten=color --max-bytes=num -o|--output=file -q|--quiet=flag
		-v|--verbose=flag -h|--help=flag --version=flag' ;;
	chat-batch) printf '%s\n' '-m|--model=model -s|--system=text --max-tokens=num --temperature=num
		--force=flag --only-failed=flag --dry-run=flag --all-done=flag --wait=flag --ids=flag --retries=num
		--connect-timeout=num --db=file --no-log=flag -q|--quiet=flag -v|--verbose=flag
		-h|--help=flag --version=flag' ;;
	chat-cost) printf '%s\n' '--history=flag --by=by --since=date --until=date --count=flag
		-m|--model=model --encoding=encoding -f|--file=file -r|--records=flag --text=flag
		--budget=num --period=period --json=flag --db=file -q|--quiet=flag
		-v|--verbose=flag -h|--help=flag --version=flag' ;;
	chat-split) printf '%s\n' '-n|--tokens=num -m|--model=model --encoding=encoding --id=text
		-q|--quiet=flag -v|--verbose=flag -h|--help=flag --version=flag' ;;
	chat-key) printf '%s\n' '--json=flag -q|--quiet=flag -v|--verbose=flag -h|--help=flag
		--version=flag' ;;
	chat-image) printf '%s\n' '-m|--model=imodel -n|--count=num --size=size --quality=iquality
		--style=style --format=format --image=file -o|--output=file --dir=dir
		--force=flag --json=flag --max-cost=num --retries=num --connect-timeout=num
		--timeout=num --db=file --no-log=flag --dry-run=flag -q|--quiet=flag -v|--verbose=flag
		-h|--help=flag --version=flag' ;;
	esac
}

# _chat_history_scan PROG WORDS...: from the words before the cursor, set
# hcmd (the command), hargs (how many of its arguments precede the cursor)
# and hdb (the --db value, if any) in the caller. Options may come anywhere,
# as getopt permutes them; their values are not arguments.
_chat_history_scan() {
	local prog=$1 w k next= ended=0 i
	shift
	for w; do
		if [ -n "$next" ]; then
			[ "$next" = --db ] && hdb=$w
			next=
			continue
		fi
		if [ $ended = 0 ]; then
			case $w in
			--) ended=1; continue ;;
			--db=*) hdb=${w#--db=}; continue ;;
			--*=*) continue ;;
			--?*)
				k=$(_chat_kind "$prog" "$w")
				[ -n "$k" ] && [ "$k" != flag ] && next=$w
				continue ;;
			-?*) # a cluster such as -qn 5 or -n5
				for ((i = 1; i < ${#w}; i++)); do
					k=$(_chat_kind "$prog" "-${w:i:1}")
					if [ -n "$k" ] && [ "$k" != flag ]; then
						[ $((i + 1)) = ${#w} ] && next=-${w:i:1}
						break
					fi
				done
				continue ;;
			esac
		fi
		if [ -z "$hcmd" ]; then hcmd=$w; else hargs=$((hargs + 1)); fi
	done
}

# _chat_history_names PROG DB WORD: the conversations (names, else ids) that
# start with WORD, from the history --db DB names when DB is a plain path.
_chat_history_names() {
	local cmd=$1 db=$2 n
	case $cmd in
	'~/'*) cmd=$HOME/${cmd#'~/'} ;;
	*/*) ;;
	*) cmd=chat-history ;;
	esac
	case $db in
	'~/'*) db=$HOME/${db#'~/'} ;;
	*[\'\"\$\`\\]*) db= ;; # quoted or expanded: too hard to follow, use the default
	esac
	local -a args=()
	[ -n "$db" ] && args=(--db "$db")
	"$cmd" "${args[@]}" names 2>/dev/null | while IFS= read -r n; do
		[[ $n == "$3"* ]] && printf '%q\n' "$n"
	done
}

# _chat_key_providers PROG WORD: the providers chat-key knows that start
# with WORD, the first word of each line of "chat-key list".
_chat_key_providers() {
	local cmd=$1 n rest
	case $cmd in
	'~/'*) cmd=$HOME/${cmd#'~/'} ;;
	*/*) ;;
	*) cmd=chat-key ;;
	esac
	"$cmd" list 2>/dev/null | while read -r n rest; do
		[[ $n == "$2"* ]] && printf '%s\n' "$n"
	done
}

# _chat_kind PROG OPTION: print the kind of value OPTION takes, or nothing.
_chat_kind() {
	local e
	for e in $(_chat_options "$1"); do
		case "|${e%=*}|" in
		*"|$2|"*) printf '%s\n' "${e##*=}"; return ;;
		esac
	done
}

# _chat_values KIND WORD: candidate values of that kind starting with WORD.
_chat_values() {
	case $1 in
	model) compgen -W "$_chat_models" -- "$2" ;;
	file) compopt -o filenames 2>/dev/null; compgen -f -- "$2" ;;
	dir) compopt -o filenames 2>/dev/null; compgen -d -- "$2" ;;
	quality) compgen -W 'low medium high' -- "$2" ;;
	color) compgen -W 'white black' -- "$2" ;;
	period) compgen -W 'day month' -- "$2" ;;
	encoding) compgen -W 'o200k_base cl100k_base' -- "$2" ;;
	template) # the files of the templates folder, less editors' backups
		local f n
		for f in "${XDG_CONFIG_HOME:-$HOME/.config}"/chat/templates/*; do
			n=${f##*/}
			[ -f "$f" ] && [[ $n != *'~' && $n == "$2"* ]] && printf '%q\n' "$n"
		done ;;
	imodel) compgen -W 'gpt-image-1 dall-e-3 gemini-2.5-flash-image openai: gemini:' -- "$2" ;;
	size) compgen -W '1024x1024 1536x1024 1024x1536 1792x1024 1024x1792 auto 16:9 9:16 4:3 3:4' -- "$2" ;;
	iquality) compgen -W 'low medium high auto standard hd' -- "$2" ;;
	style) compgen -W 'vivid natural' -- "$2" ;;
	format) compgen -W 'png jpeg' -- "$2" ;;
	by) # the last item of a comma-separated list, after those already given
		local done=
		[[ $2 == *,* ]] && done=${2%,*},
		compgen -P "$done" -W 'model provider day month conversation kind' -- "${2##*,}" ;;
	esac
}

_chat_complete() {
	local prog=${1##*/} line=${COMP_LINE:0:COMP_POINT}
	# Take the word under the cursor whole, '=' and ':' included, rather than
	# the pieces COMP_WORDBREAKS cuts it into.
	local cur=${line##*[[:space:]]}
	local -a words
	read -ra words <<<"${line%"$cur"}"
	local prev=${words[${#words[@]}-1]} w kind= prefix= opts_done=0

	# "chat PROGRAM ...": the line from PROGRAM on completes as chat-PROGRAM's,
	# the program found beside chat when chat was named by its path.
	if [ "$prog" = chat ] && [ ${#words[@]} -ge 2 ] && [[ " $_chat_front_programs " == *" ${words[1]} "* ]]; then
		local sub=${words[1]} rest=${line#"${line%%[![:space:]]*}"} cmd
		rest=${rest#"${words[0]}"}
		rest=${rest#"${rest%%[![:space:]]*}"}
		rest=${rest#"$sub"}
		cmd=chat-$sub
		[[ $1 == */* ]] && cmd=${1%/*}/$cmd
		local COMP_LINE=$cmd$rest
		local COMP_POINT=${#COMP_LINE}
		_chat_complete "$cmd"
		return
	fi
	for w in "${words[@]:1}"; do
		[ "$w" = -- ] && opts_done=1
	done

	# The VALUE of an option that takes two words (-p NAME VALUE, or
	# --arg=NAME VALUE) is free text: nothing is offered for it.
	local prev2= pairval=0
	[ ${#words[@]} -ge 2 ] && prev2=${words[${#words[@]}-2]}
	case $prev2 in
	--*=*) ;;
	--?*) [ "$(_chat_kind "$prog" "$prev2")" = pair ] && pairval=1 ;;
	-?*) [ "$(_chat_kind "$prog" "-${prev2: -1}")" = pair ] && pairval=1 ;;
	esac
	case $prev in
	--*=*) [ "$(_chat_kind "$prog" "${prev%%=*}")" = pair ] && pairval=1 ;;
	esac

	local -a cands=()
	case $prev in
	'<' | '>' | '>>' | '2>' | '2>>' | '&>') kind=file ;;
	--*=*) ;;
	--?*) kind=$(_chat_kind "$prog" "$prev") ;;
	-?*) kind=$(_chat_kind "$prog" "-${prev: -1}") ;; # -qm MODEL: the last letter counts
	esac
	[ "$kind" = flag ] && kind=
	if [ $opts_done = 0 ] && [ $pairval = 1 ]; then
		:
	elif [ $opts_done = 0 ] && [ -n "$kind" ] && [ "$prev" != -- ]; then
		mapfile -t cands < <(_chat_values "$kind" "$cur")
	elif [ $opts_done = 0 ] && [[ $cur == --*=* ]]; then
		prefix=${cur%%=*}=
		kind=$(_chat_kind "$prog" "${cur%%=*}")
		mapfile -t cands < <(_chat_values "$kind" "${cur#*=}")
	elif [ $opts_done = 0 ] && [[ $cur == -* ]]; then
		local e spellings=
		for e in $(_chat_options "$prog"); do
			spellings+=" ${e%=*}"
		done
		mapfile -t cands < <(compgen -W "${spellings//|/ }" -- "$cur")
	elif [ "$prog" = chat ] && [ ${#words[@]} = 1 ]; then
		# the first word: a program (a prompt's words are the user's)
		mapfile -t cands < <(compgen -W "$_chat_front_programs" -- "$cur")
	elif [ "$prog" = chat-history ]; then
		local hcmd= hargs=0 hdb=
		_chat_history_scan "$prog" "${words[@]:1}"
		case $hcmd in
		'') mapfile -t cands < <(compgen -W "$_chat_history_commands" -- "$cur") ;;
		show | rename) [ "$hargs" = 0 ] && mapfile -t cands < <(_chat_history_names "$1" "$hdb" "$cur") ;;
		export | rm) mapfile -t cands < <(_chat_history_names "$1" "$hdb" "$cur") ;;
		import) mapfile -t cands < <(_chat_values file "$cur") ;;
		esac
	elif [ "$prog" = chat-batch ]; then
		# a command first; the JOBs after it are left to the user
		local hcmd= hargs=0 hdb=
		_chat_history_scan "$prog" "${words[@]:1}"
		[ -z "$hcmd" ] && mapfile -t cands < <(compgen -W "$_chat_batch_commands" -- "$cur")
	elif [ "$prog" = chat-key ]; then
		# a command, then a provider (list takes several)
		local hcmd= hargs=0 hdb=
		_chat_history_scan "$prog" "${words[@]:1}"
		if [ -z "$hcmd" ]; then
			mapfile -t cands < <(compgen -W "$_chat_key_commands" -- "$cur")
		elif [ "$hcmd" = list ] || [ "$hargs" = 0 ]; then
			mapfile -t cands < <(_chat_key_providers "$1" "$cur")
		fi
	else
		# prompt words (chat's after its first), or the inputs of chat-upload, chat-cost and chat-split: files
		mapfile -t cands < <(_chat_values file "$cur")
	fi

	# Readline replaces only the text after the last COMP_WORDBREAKS
	# character of the word (after '=' in --model=, ':' in openai:), so
	# drop that much from each candidate.
	local i strip=
	for ((i = ${#cur} - 1; i >= 0; i--)); do
		case $COMP_WORDBREAKS in
		*"${cur:i:1}"*) strip=${cur:0:i+1}; break ;;
		esac
	done
	COMPREPLY=()
	for w in "${cands[@]}"; do
		w=$prefix$w
		COMPREPLY+=("${w#"$strip"}")
	done
	if [ ${#COMPREPLY[@]} = 1 ] && [[ ${COMPREPLY[0]} == *: ]]; then
		compopt -o nospace 2>/dev/null # openai: wants a model name right after it
	fi
	return 0
}

for _chat_p in $_chat_programs; do
	complete -F _chat_complete "$_chat_p"
done
unset _chat_p
