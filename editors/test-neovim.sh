#!/usr/bin/env bash
# Opens a .cohort file with an error in headless Neovim, connected to `cohort lsp` by
# Neovim's built-in LSP client, waits for the diagnostics, prints them, and exits 0 only
# when the expected one arrived: unknown-name at the misspelt `usr`, on a line with
# non-ASCII text before it, so the server's UTF-16 column must survive Neovim's
# conversion to a byte column.
#
#   editors/test-neovim.sh            uses .build/debug/cohort (build it first)
#   COHORT=path/to/cohort editors/test-neovim.sh
#
# Installs Debian's `neovim` with apt-get when `nvim` is missing and apt-get can be used.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
cohort=${COHORT:-$root/.build/debug/cohort}
[[ $cohort = /* ]] || cohort=$root/$cohort
if [[ ! -x $cohort ]]; then
    echo "test-neovim: $cohort is not built (swift build --product cohort)" >&2
    exit 2
fi
if ! command -v nvim >/dev/null; then
    if [[ $(id -u) = 0 ]] && command -v apt-get >/dev/null; then
        echo "test-neovim: installing Debian's neovim" >&2
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq neovim >/dev/null \
            || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq neovim >/dev/null; }
    else
        echo "test-neovim: nvim is not installed (apt-get install neovim)" >&2
        exit 2
    fi
fi

dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
cat >"$dir/shop.cohort" <<'COHORT'
# Shop flags — déploiement 🚀
segment paying = user.plan in ["pro", "enterprise"]
flag banner = user.note == "crème brûlée 🍮" and usr.age > 18 and paying
COHORT

cat >"$dir/check.lua" <<'LUA'
local cohort, file = os.getenv('COHORT_BIN'), os.getenv('COHORT_FILE')
local function say(text) io.stdout:write(text .. '\n') end
vim.cmd('edit ' .. vim.fn.fnameescape(file))
vim.bo.filetype = 'cohort'
local config = { name = 'cohort', cmd = { cohort, 'lsp' }, root_dir = vim.fn.fnamemodify(file, ':h') }
local client
if vim.lsp.start then
    client = vim.lsp.start(config)        -- Neovim 0.8 and later
else
    client = vim.lsp.start_client(config) -- Neovim 0.7
    vim.lsp.buf_attach_client(0, client)
end
local arrived = vim.wait(15000, function() return #vim.diagnostic.get(0) > 0 end, 50)
local diagnostics = vim.diagnostic.get(0)
local v = vim.version()
say(('nvim %d.%d.%d: %d diagnostic(s)%s'):format(v.major, v.minor, v.patch, #diagnostics, arrived and '' or ' (timed out after 15 s)'))
local names = { 'error', 'warning', 'info', 'hint' }
for _, d in ipairs(diagnostics) do
    say(('%s:%d:%d: %s: [%s] %s'):format(vim.fn.fnamemodify(file, ':t'), d.lnum + 1, d.col + 1,
        names[d.severity] or '?', tostring(d.code), d.message))
end
-- The expected diagnostic: on line 3, at the byte where `usr` starts.
local line = vim.api.nvim_buf_get_lines(0, 2, 3, false)[1]
local byte = line:find('usr.age', 1, true) - 1
local ok = #diagnostics == 1 and diagnostics[1].lnum == 2 and diagnostics[1].col == byte
    and diagnostics[1].end_col == byte + 3 and diagnostics[1].code == 'unknown-name'
    and diagnostics[1].message:find("did you mean 'user'", 1, true) ~= nil
say(ok and 'ok: the expected diagnostic arrived' or ('FAILED: expected one unknown-name at 3:' .. (byte + 1)))
vim.lsp.stop_client(client)
vim.wait(2000, function() return vim.lsp.get_client_by_id(client) == nil end, 50)
vim.cmd(ok and 'qall!' or 'cquit! 1')
LUA

COHORT_BIN=$cohort COHORT_FILE=$dir/shop.cohort timeout 60 \
    nvim --headless --clean -n -i NONE -c "luafile $dir/check.lua"
