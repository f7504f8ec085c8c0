//! BigQuery v2 `jobs.query` and `jobs.getQueryResults` with paged rows.
//!
//! Every query answers the same deterministic table of 25 rows
//! (`n INT64`, `word STRING`), with int64 values as strings, as Google sends
//! them; `maxResults` pages it.

use hyper::Response;

use crate::http_util::{get, json, Body};

const ROWS: usize = 25;
const WORDS: [&str; 5] = ["alpha", "beta", "gamma", "delta", "epsilon"];

fn rows(start: usize, count: usize) -> Vec<serde_json::Value> {
    (start..(start + count).min(ROWS))
        .map(|i| serde_json::json!({"f": [{"v": (i + 1).to_string()}, {"v": WORDS[i % WORDS.len()]}]}))
        .collect()
}

fn schema() -> serde_json::Value {
    serde_json::json!({"fields": [
        {"name": "n", "type": "INTEGER", "mode": "NULLABLE"},
        {"name": "word", "type": "STRING", "mode": "NULLABLE"},
    ]})
}

fn answer(kind: &str, project: &str, job: &str, start: usize, max: usize) -> Response<Body> {
    let mut body = serde_json::json!({
        "kind": kind, "schema": schema(),
        "jobReference": {"projectId": project, "jobId": job, "location": "US"},
        "totalRows": ROWS.to_string(), "rows": rows(start, max), "jobComplete": true,
        "totalBytesProcessed": "0", "cacheHit": false,
    });
    if start + max < ROWS {
        body["pageToken"] = serde_json::Value::String((start + max).to_string());
    }
    json(200, &body)
}

/// `POST /bigquery/v2/projects/{project}/queries`.
pub(crate) fn query(project: &str, body: &[u8]) -> Response<Body> {
    let request: serde_json::Value = serde_json::from_slice(body).unwrap_or_default();
    if request
        .get("query")
        .and_then(|q| q.as_str())
        .is_none_or(str::is_empty)
    {
        return crate::http_util::google_error(
            400,
            "INVALID_ARGUMENT",
            "invalid",
            "Required parameter is missing: query",
        );
    }
    let max = request
        .get("maxResults")
        .and_then(|m| m.as_u64())
        .map_or(ROWS, |m| m as usize);
    let job = format!("job_emulator_{:08x}", fastrand::u32(..));
    answer("bigquery#queryResponse", project, &job, 0, max.max(1))
}

/// `GET /bigquery/v2/projects/{project}/queries/{job}`.
pub(crate) fn results(project: &str, job: &str, query: &[(String, String)]) -> Response<Body> {
    let start = get(query, "pageToken")
        .and_then(|t| t.parse().ok())
        .unwrap_or(0);
    let max = get(query, "maxResults")
        .and_then(|m| m.parse().ok())
        .unwrap_or(ROWS)
        .max(1);
    answer("bigquery#getQueryResultsResponse", project, job, start, max)
}

/// `GET /bigquery/v2/projects/{project}/datasets`.
pub(crate) fn datasets(project: &str) -> Response<Body> {
    let datasets: Vec<serde_json::Value> = ["analytics", "sales", "scratch"]
        .iter()
        .map(|d| {
            serde_json::json!({
                "kind": "bigquery#dataset", "id": format!("{project}:{d}"), "location": "US",
                "datasetReference": {"projectId": project, "datasetId": d},
            })
        })
        .collect();
    json(
        200,
        &serde_json::json!({"kind": "bigquery#datasetList", "datasets": datasets}),
    )
}
