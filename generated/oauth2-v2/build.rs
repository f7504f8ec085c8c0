fn main() {
    gapi_codegen::build_script("oauth2", "v2");
}
