# Sourced by outside.sh and registry.sh: the README's code, as it is written.
# `readme_file PATH` prints the fenced block that follows the README's
# `<!-- readme-file: PATH -->` marker (the file a stranger following the
# README would write), and fails when there is no such block.
readme_file() {
  local wanted=$1
  local readme="${repo:?}/README.md"
  local text
  text=$(awk -v want="<!-- readme-file: $wanted -->" '
    $0 == want { armed = 1; next }
    armed && /^```/ && !inside { inside = 1; next }
    inside && /^```/ { exit }
    inside { print }
  ' "$readme")
  if [ -z "$text" ]; then
    echo "README.md has no block marked <!-- readme-file: $wanted -->" >&2
    return 1
  fi
  printf '%s\n' "$text"
}
