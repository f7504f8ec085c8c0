// Generates the client from the discovery document with this sha256 (see gapi_codegen::build_script).
fn main() {
    gapi_codegen::build_script(
        "appengine",
        "v1",
        "3472fe3d04f6ad33e0a6a57f6898955d3d74530f73fe8577e8def1e8da123128",
    );
}
