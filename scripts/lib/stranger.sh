# Sourced by outside.sh and registry.sh: a stranger's machine, as far as a
# Rust build can tell. `make_stranger DIR` makes DIR/home (a fresh HOME that
# shares only the crates.io download cache and the toolchain) and DIR/bin
# (a PATH with what a Rust build needs: no Python, no gapi); `stranger CMD…`
# runs a command there with nothing else from our environment, plus the
# variables in the array `stranger_env`.
stranger_env=()

make_stranger() {
  stranger_home="$1/home"
  stranger_bin="$1/bin"
  mkdir -p "$stranger_home/.cargo" "$stranger_bin"
  local real_cargo_home=${CARGO_HOME:-$HOME/.cargo}
  local real_rustup_home=${RUSTUP_HOME:-$HOME/.rustup}
  ln -s "$real_cargo_home/registry" "$stranger_home/.cargo/registry"
  ln -s "$real_rustup_home" "$stranger_home/.rustup"
  local tool
  for tool in cc gcc ld as ar git; do
    ln -sf "$(command -v "$tool")" "$stranger_bin/$tool"
  done
  for tool in cargo rustc rustdoc; do
    ln -sf "$real_cargo_home/bin/$tool" "$stranger_bin/$tool"
  done
}

stranger() {
  env -i HOME="$stranger_home" PATH="$stranger_bin:$stranger_home/.cargo/bin" TERM=dumb \
    "${stranger_env[@]}" "$@"
}

# `stranger_in_background CMD…`: CMD as `stranger` runs it, in the
# background, with `$!` its own PID (a function put in the background is a
# subshell, and killing that would leave CMD running).
stranger_in_background() {
  ( exec env -i HOME="$stranger_home" PATH="$stranger_bin:$stranger_home/.cargo/bin" TERM=dumb \
      "${stranger_env[@]}" "$@" ) &
}
