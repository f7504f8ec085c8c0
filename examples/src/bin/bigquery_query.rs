//! A BigQuery query, paging through its rows with `getQueryResults`.
//! `GOOGLE_CLOUD_PROJECT` names the project (any name works against the emulator).

use gapi_bigquery_v2::types::QueryRequest;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let project = std::env::var("GOOGLE_CLOUD_PROJECT").unwrap_or_else(|_| "demo-project".into());
    let creds =
        gapi_examples::installed_flow(&[gapi_bigquery_v2::scopes::BIGQUERY], "token-bigquery.json")
            .authenticate()
            .await?;
    let bigquery = gapi_examples::target(gapi_bigquery_v2::Bigquery::builder())
        .credentials(creds)
        .build()?;
    let sql = "SELECT n, word FROM UNNEST(GENERATE_ARRAY(1, 25)) AS n";
    let first = bigquery
        .jobs()
        .query(
            project.clone(),
            QueryRequest::default()
                .with_query(sql)
                .with_use_legacy_sql(false)
                .with_max_results(10),
        )
        .execute()
        .await?;
    let job = first
        .job_reference
        .as_ref()
        .and_then(|j| j.job_id.clone())
        .ok_or("no job id")?;
    let mut rows = first.rows.unwrap_or_default();
    let mut token = first.page_token;
    while let Some(t) = token {
        let page = bigquery
            .jobs()
            .get_query_results(project.clone(), job.clone())
            .page_token(t)
            .max_results(10)
            .execute()
            .await?;
        rows.extend(page.rows.unwrap_or_default());
        token = page.page_token;
    }
    println!("{} rows of {:?} in all", rows.len(), first.total_rows);
    for row in rows.iter().take(3) {
        let cells: Vec<String> = row
            .f
            .iter()
            .flatten()
            .map(|c| match &c.v {
                Some(serde_json::Value::String(s)) => s.clone(),
                Some(other) => other.to_string(),
                None => String::new(),
            })
            .collect();
        println!("  {}", cells.join(" | "));
    }
    Ok(())
}
