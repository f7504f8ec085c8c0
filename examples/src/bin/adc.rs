//! Application Default Credentials: says which source it used and why the
//! others were skipped, then lists BigQuery datasets of `GOOGLE_CLOUD_PROJECT`.

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let creds =
        gapi_auth::ApplicationDefaultCredentials::new(&[gapi_bigquery_v2::scopes::BIGQUERY])
            .await?;
    println!("credentials from {:?}", creds.source());
    for reason in creds.skipped() {
        println!("  skipped: {reason}");
    }
    let project = std::env::var("GOOGLE_CLOUD_PROJECT").map_err(|_| "set GOOGLE_CLOUD_PROJECT")?;
    let bigquery = gapi_examples::target(gapi_bigquery_v2::Bigquery::builder())
        .credentials(creds)
        .build()?;
    let datasets = bigquery.datasets().list(project).execute().await?;
    for d in datasets.datasets.unwrap_or_default() {
        println!("  {}", d.id.unwrap_or_default());
    }
    Ok(())
}
