// Generates the client from the discovery document with this sha256 (see gapi_codegen::build_script).
fn main() {
    gapi_codegen::build_script(
        "compute",
        "v1",
        "6a776936c09fdec23f48bb54d6b746eec7d0085d592c1612887abc9881cda697",
    );
}
