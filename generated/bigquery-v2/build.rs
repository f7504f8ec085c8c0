// Generates the client from the discovery document with this sha256 (see gapi_codegen::build_script).
fn main() {
    gapi_codegen::build_script(
        "bigquery",
        "v2",
        "e2975e6e21f93bed8e32b57cdd2205bd7c0a0f38b6a7438e8d6f008160d3ec2d",
    );
}
