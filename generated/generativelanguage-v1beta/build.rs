fn main() {
    gapi_codegen::build_script("generativelanguage", "v1beta");
}
