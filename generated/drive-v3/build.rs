// Generates the client from the discovery document with this sha256 (see gapi_codegen::build_script).
fn main() {
    gapi_codegen::build_script(
        "drive",
        "v3",
        "0da3056ac67249c730b99749b4ff22d2fb227788f6b876e5f1f96da6c5438553",
    );
}
