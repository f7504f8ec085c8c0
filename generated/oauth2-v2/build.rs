// Generates the client from the discovery document with this sha256 (see gapi_codegen::build_script).
fn main() {
    gapi_codegen::build_script(
        "oauth2",
        "v2",
        "a9ba9050a32eea0d48ac81c801f6304c06598080dff23ebd2ebea2fabcdbccbb",
    );
}
