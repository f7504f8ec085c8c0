// Generates the client from the discovery document with this sha256 (see gapi_codegen::build_script).
fn main() {
    gapi_codegen::build_script(
        "generativelanguage",
        "v1beta",
        "28b57f180d468270e936e030dcf454c52ac7b2106733e7dce89cf8e990d00a65",
    );
}
