#!/usr/bin/env bash
# Highlights the examples with `bat` and editors/cohort.sublime-syntax (derived from the
# TextMate grammar by make-sublime-syntax.py), and exits 0 only when bat knows the
# language and colours the keywords, strings, comments and numbers it should. bat's own
# configuration and cache are left alone: it runs on a temporary one.
#
# Installs Debian's `bat` (its command is `batcat`) with apt-get when it is missing.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 editors/make-sublime-syntax.py --check
bat=$(command -v batcat || command -v bat || true)
if [[ -z $bat ]]; then
    if [[ $(id -u) = 0 ]] && command -v apt-get >/dev/null; then
        echo "test-bat: installing Debian's bat" >&2
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq bat >/dev/null \
            || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq bat >/dev/null; }
        bat=$(command -v batcat || command -v bat)
    else
        echo "test-bat: bat is not installed (apt-get install bat)" >&2
        exit 2
    fi
fi
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
mkdir -p "$dir/config/syntaxes" "$dir/cache"
cp editors/cohort.sublime-syntax "$dir/config/syntaxes/"
export BAT_CONFIG_DIR=$dir/config BAT_CACHE_PATH=$dir/cache
"$bat" cache --build >/dev/null
"$bat" --list-languages | grep -q '^Cohort:cohort$' || { echo "FAILED: bat does not list Cohort" >&2; exit 1; }

failed=0
# expect FILE PATTERN WORD: on the first line of FILE matching PATTERN (grep), WORD is
# coloured (an escape sequence right before it).
expect() {
    local file=$1 pattern=$2 word=$3 line rendered
    line=$(grep -n -e "$pattern" "$file" | head -1 | cut -d: -f1)
    rendered=$("$bat" --color=always --style=plain --theme=ansi --paging=never "$file" | sed -n "${line}p")
    if [[ $rendered == *$'\e['*"m$word"* ]]; then
        echo "ok: $file:$line '$word' is coloured"
    else
        echo "FAILED: $file:$line '$word' is not coloured: $(cat -v <<<"$rendered")"
        failed=1
    fi
}
expect examples/flags.cohort '^# Our own staff' '#'         # a comment
expect examples/flags.cohort '^let staff_groups' 'let'      # a declaration keyword
expect examples/flags.cohort '^let staff_groups' 'qa'       # a string
expect examples/flags.cohort 'ends_with' 'ends_with'        # a word operator
expect examples/flags.cohort '^flag new_checkout' 'bucket'  # a function
expect examples/flags.cohort '^flag new_checkout' '20'      # a number
expect examples/flags.cohort '^  when internal' 'when'      # a flag block
expect examples/flags.cohort '^  when internal' 'serve'
expect examples/flags.test.cohort '^use ' 'use'             # a test file's words
expect examples/flags.test.cohort '^test ' 'test'
expect examples/flags.test.cohort '^ *expect ' 'expect'
expect examples/flags.test.cohort '^ *now ' 'now'
exit $failed
