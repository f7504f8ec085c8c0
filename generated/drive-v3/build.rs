fn main() {
    gapi_codegen::build_script("drive", "v3");
}
