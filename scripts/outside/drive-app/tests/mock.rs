//! The README's "Mock any API in your tests", followed literally: canned
//! answers by method id, the requests asserted on.

use gapi_drive_v3::runtime::serde_json::json;
use gapi_runtime::mock::{MockResponse, MockServer};

#[tokio::test]
async fn the_first_call_against_a_mock() -> Result<(), drive_app::Error> {
    let mock = MockServer::start(gapi_drive_v3::methods()).await?;
    mock.on(
        "drive.files.list",
        MockResponse::json(json!({"files": [{"name": "a"}, {"name": "b"}]})),
    );
    let drive = gapi_drive_v3::Drive::builder().root_url(mock.url()).build()?;
    assert_eq!(drive_app::newest_five(&drive).await?, ["a", "b"]);
    let list = &mock.calls("drive.files.list")[0];
    assert_eq!(list.query_value("orderBy"), Some("modifiedByMeTime desc"));
    assert_eq!(list.query_value("pageSize"), Some("5"));
    assert!(mock.unexpected().is_empty());
    Ok(())
}
