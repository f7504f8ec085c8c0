fn main() {
    gapi_codegen::build_script("bigquery", "v2");
}
