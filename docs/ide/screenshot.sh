#!/usr/bin/env bash
# Renders docs/ide/emacs-eglot.svg: Emacs (terminal, eglot) showing
# defer-race-clangd's diagnostics on the seed example. Headless: Emacs runs
# in a detached tmux session, whose screen is captured with its colours and
# drawn as SVG by render_terminal.py.
#
#   docs/ide/screenshot.sh [LLVM major, default 22]
#
# Needs a built build/llvm-<major>/bin/defer-race-clangd (scripts/build.sh),
# or DEFER_RACE_CLANGD=<path to one>,
# and, not installed by any script: apt-get install emacs-nox elpa-eglot tmux
set -euo pipefail
cd "$(dirname "$0")/../.."
v=${1:-22}
root=$PWD
clangd=${DEFER_RACE_CLANGD:-$root/build/llvm-$v/bin/defer-race-clangd}
[ -x "$clangd" ] || { echo "screenshot.sh: build $clangd first (scripts/build.sh $v)" >&2; exit 1; }
for tool in emacs tmux; do
  command -v "$tool" >/dev/null || { echo "screenshot.sh: needs $tool" >&2; exit 1; }
done

work=$(mktemp -d)
session=defer-race-shot-$$
trap 'tmux kill-session -t "$session" 2>/dev/null || true; rm -rf "$work"' EXIT

# The seed example with a compile_commands.json and a .clang-tidy enabling
# the checks, as the LSP test sets it up.
python3 test/clangd/Inputs/lsp_session.py --prepare-only --clangd "$clangd" \
  --clangxx "/usr/lib/llvm-$v/bin/clang++" --workspace "$work/ws" \
  --source examples/seed/seed.cpp

# The eglot setup from docs/ide.md, then: point on the detached spawn, the
# buffer's diagnostics listed below it.
cat >"$work/init.el" <<EOF
;; emacs -q skips what a normal start does first: activate the packages.
(package-initialize)
(setq inhibit-startup-screen t)
(with-eval-after-load 'eglot
  (add-to-list 'eglot-server-programs
               '((c++-mode c-mode c++-ts-mode c-ts-mode)
                 . ("$clangd"))))
(add-hook 'c++-mode-hook #'eglot-ensure)
(run-with-timer 12 nil
  (lambda ()
    (goto-char (point-min))
    (search-forward ").detach()")
    (backward-char 8)
    (flymake-show-buffer-diagnostics)
    (display-local-help)))
EOF

tmux new-session -d -s "$session" -x 132 -y 40 \
  "cd '$work/ws' && TERM=xterm-256color XDG_CONFIG_HOME='$work/ws/.config' emacs -nw -q -l '$work/init.el' seed.cpp"
sleep 16
tmux capture-pane -t "$session" -e -p >"$work/screen.txt"
python3 docs/ide/render_terminal.py "$work/screen.txt" docs/ide/emacs-eglot.svg \
  --columns 132 --title "Emacs 28 + eglot, with defer-race-clangd $v as the clangd: examples/seed/seed.cpp"
echo "wrote docs/ide/emacs-eglot.svg"
