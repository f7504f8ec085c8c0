//! gapi's generated clients and sign-in flow against the emulator: every
//! response the emulator serves must decode, and the user-facing scenarios
//! (installed-app sign-in, five newest Drive files, Gemini models with an API
//! key, userinfo) must work end to end.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use common::{access_token, browser, client_config, drive_for, emulator, sign_in};
use gapi_auth::{ApiKey, InstalledFlow};
use gapi_runtime::futures_util::TryStreamExt;

/// The README's first call: the five most recently modified files.
async fn newest_five(drive: &gapi_drive_v3::Drive) -> gapi_drive_v3::types::FileList {
    drive
        .files()
        .list()
        .order_by("modifiedByMeTime desc")
        .page_size(5)
        .execute()
        .await
        .unwrap()
}

#[tokio::test]
async fn sign_in_then_list_the_five_newest_drive_files() {
    let emu = emulator(true).await;
    let dir = tempfile::tempdir().unwrap();
    let visits = Arc::new(AtomicUsize::new(0));
    let flow = InstalledFlow::new(
        client_config(&emu),
        &[gapi_drive_v3::scopes::DRIVE_METADATA_READONLY],
    )
    .token_cache(dir.path().join("token.json"))
    .browser(browser(visits.clone()));
    let creds = flow.authenticate().await.unwrap();
    let drive = drive_for(&emu, creds);
    let list = newest_five(&drive).await;
    let files = list.files.unwrap();
    assert_eq!(files.len(), 5);
    let times: Vec<_> = files
        .iter()
        .map(|f| f.modified_by_me_time.clone().unwrap().to_string())
        .collect();
    let mut sorted = times.clone();
    sorted.sort_by(|a, b| b.cmp(a));
    assert_eq!(times, sorted, "newest first");
    assert!(list.next_page_token.is_some());

    // Every file of every page, lazily, with a query.
    let all: Vec<_> = drive
        .files()
        .list()
        .q("trashed = false")
        .page_size(40)
        .items()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(all.len(), 250 - 250 / 11);

    // One file's metadata and its content, resumed with Range by the runtime if needed.
    let id = files[0].id.clone().unwrap();
    let one = drive
        .files()
        .get(&id)
        .fields("id,name")
        .execute()
        .await
        .unwrap();
    assert_eq!(one.id.as_deref(), Some(id.as_str()));
    let mut content = Vec::new();
    let n = drive.files().get(&id).download(&mut content).await.unwrap();
    assert_eq!(n as usize, content.len());
    assert!(String::from_utf8(content)
        .unwrap()
        .starts_with("content of file"));

    // A second sign-in uses the cache.
    flow.authenticate().await.unwrap();
    assert_eq!(visits.load(Ordering::SeqCst), 1);

    let missing = drive.files().get("nope").execute().await.unwrap_err();
    assert!(missing.is_not_found());
    assert_eq!(missing.reason(), Some("notFound"));
}

#[tokio::test]
async fn gemini_models_with_an_api_key_and_without_one() {
    let emu = emulator(true).await;
    let gemini = gapi_generativelanguage_v1beta::GenerativeLanguage::builder()
        .root_url(emu.root_url())
        .credentials(ApiKey::new("AIza-emulator"))
        .build()
        .unwrap();
    let page = gemini.models().list().page_size(3).execute().await.unwrap();
    assert_eq!(page.models.as_ref().unwrap().len(), 3);
    assert!(page.next_page_token.is_some());
    let all: Vec<_> = gemini
        .models()
        .list()
        .page_size(2)
        .items()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(all.len(), 7);
    assert!(all
        .iter()
        .any(|m| m.name.as_deref() == Some("models/gemini-2.5-flash")));
    let one = gemini
        .models()
        .get("models/gemini-2.5-pro")
        .execute()
        .await
        .unwrap();
    assert_eq!(one.input_token_limit, Some(1_048_576));

    let anonymous = gapi_generativelanguage_v1beta::GenerativeLanguage::builder()
        .root_url(emu.root_url())
        .build()
        .unwrap();
    let err = anonymous.models().list().execute().await.unwrap_err();
    assert_eq!(err.status(), Some(403));
    assert_eq!(
        err.google_error().unwrap().status.as_deref(),
        Some("PERMISSION_DENIED")
    );
}

#[tokio::test]
async fn userinfo_needs_a_token_and_denial_is_clear() {
    let emu = emulator(false).await;
    // With the consent page shown, a "browser" that clicks Deny.
    let deny = InstalledFlow::new(client_config(&emu), &["email"]).browser(|url: &str| {
        let url = url.to_string();
        tokio::spawn(async move {
            let page = reqwest::get(&url).await.unwrap().text().await.unwrap();
            let href = page
                .split("id=\"deny\" href=\"")
                .nth(1)
                .unwrap()
                .split('"')
                .next()
                .unwrap()
                .replace("&amp;", "&");
            let base = url.split("/o/oauth2/auth").next().unwrap().to_string();
            let _ = reqwest::get(format!("{base}{href}")).await;
        });
        Ok(())
    });
    let err = deny.authenticate().await.unwrap_err();
    assert!(err.to_string().contains("access was denied"), "{err}");

    let allow = InstalledFlow::new(client_config(&emu), &["email"]).browser(|url: &str| {
        let url = url.to_string();
        tokio::spawn(async move {
            let page = reqwest::get(&url).await.unwrap().text().await.unwrap();
            let href = page
                .split("id=\"allow\" href=\"")
                .nth(1)
                .unwrap()
                .split('"')
                .next()
                .unwrap()
                .replace("&amp;", "&");
            let base = url.split("/o/oauth2/auth").next().unwrap().to_string();
            let _ = reqwest::get(format!("{base}{href}")).await;
        });
        Ok(())
    });
    let creds = allow.authenticate().await.unwrap();
    let oauth2 = gapi_oauth2_v2::Oauth2::builder()
        .root_url(emu.root_url())
        .credentials(creds)
        .build()
        .unwrap();
    let me = oauth2.userinfo().get().execute().await.unwrap();
    assert_eq!(me.email.as_deref(), Some("ada@example.com"));

    let anonymous = gapi_oauth2_v2::Oauth2::builder()
        .root_url(emu.root_url())
        .build()
        .unwrap();
    let err = anonymous.userinfo().get().execute().await.unwrap_err();
    assert_eq!(err.status(), Some(401));
}

#[tokio::test]
async fn retries_ride_out_injected_bursts_and_stale_tokens_refresh() {
    use gapi_emulator::Fault;
    let emu = emulator(true).await;
    let drive = drive_for(&emu, sign_in(&emu).await);
    emu.inject(Fault::Status {
        status: 503,
        count: 2,
        retry_after: Some(0),
    });
    emu.inject(Fault::Status {
        status: 429,
        count: 1,
        retry_after: Some(1),
    });
    let started = std::time::Instant::now();
    let list = drive.files().list().page_size(3).execute().await.unwrap();
    assert_eq!(list.files.unwrap().len(), 3);
    assert!(
        started.elapsed() >= std::time::Duration::from_secs(1),
        "Retry-After honoured"
    );

    // Tokens that stop working early: a 401, a refresh, and success.
    emu.inject(Fault::ExpireTokens);
    let list = drive.files().list().page_size(2).execute().await.unwrap();
    assert_eq!(list.files.unwrap().len(), 2);
}

#[tokio::test]
async fn drive_uploads_simple_multipart_and_resumable_then_downloads() {
    use gapi_drive_v3::types::File;
    let emu = emulator(true).await;
    let drive = drive_for(&emu, sign_in(&emu).await);
    let metadata = File::default().with_name("notes.txt");
    // multipart: metadata + media in one request
    let made = drive
        .files()
        .create(metadata.clone())
        .upload(b"hello multipart".to_vec(), "text/plain")
        .await
        .unwrap();
    assert_eq!(made.name.as_deref(), Some("notes.txt"));
    assert_eq!(made.mime_type.as_deref(), Some("text/plain"));
    let mut back = Vec::new();
    drive
        .files()
        .get(made.id.unwrap())
        .download(&mut back)
        .await
        .unwrap();
    assert_eq!(back, b"hello multipart");

    // resumable, in 256 KiB chunks, from a file on disk
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("big.bin");
    let data: Vec<u8> = (0..700_000u32).map(|i| (i % 251) as u8).collect();
    std::fs::write(&path, &data).unwrap();
    let chunks = Arc::new(AtomicUsize::new(0));
    let seen = chunks.clone();
    let options = gapi_runtime::media::ResumableOptions::default()
        .chunk_size(256 * 1024)
        .progress(move |_, _| {
            seen.fetch_add(1, Ordering::SeqCst);
        });
    let big = drive
        .files()
        .create(File::default().with_name("big.bin"))
        .upload_resumable(path.as_path(), "application/octet-stream", options)
        .await
        .unwrap();
    assert_eq!(big.size, Some(700_000));
    assert!(chunks.load(Ordering::SeqCst) >= 3);
    let mut back = Vec::new();
    drive
        .files()
        .get(big.id.unwrap())
        .download(&mut back)
        .await
        .unwrap();
    assert_eq!(back, data);
}

#[tokio::test]
async fn gemini_generate_content_round_trips() {
    use gapi_generativelanguage_v1beta::types::{Content, GenerateContentRequest, Part};
    let emu = emulator(true).await;
    let gemini = gapi_generativelanguage_v1beta::GenerativeLanguage::builder()
        .root_url(emu.root_url())
        .credentials(ApiKey::new("AIza-emulator"))
        .build()
        .unwrap();
    let request = GenerateContentRequest::default().with_contents([Content::default()
        .with_role("user")
        .with_parts([Part::default().with_text("Explain how AI works in a few words")])]);
    let reply = gemini
        .models()
        .generate_content("models/gemini-2.5-flash", request)
        .execute()
        .await
        .unwrap();
    let text = reply.candidates.unwrap()[0]
        .content
        .as_ref()
        .unwrap()
        .parts
        .as_ref()
        .unwrap()[0]
        .text
        .clone()
        .unwrap();
    assert_eq!(
        text,
        "(emulated gemini-2.5-flash) You said: Explain how AI works in a few words"
    );
    assert_eq!(reply.usage_metadata.unwrap().prompt_token_count, Some(8));
}

#[tokio::test]
async fn partial_responses_follow_the_fields_mask() {
    let emu = emulator(true).await;
    let drive = drive_for(&emu, sign_in(&emu).await);
    let list = drive
        .files()
        .list()
        .page_size(2)
        .fields("files(id,name)")
        .execute()
        .await
        .unwrap();
    assert!(
        list.next_page_token.is_none(),
        "nextPageToken was not asked for"
    );
    let f = &list.files.unwrap()[0];
    assert!(f.id.is_some() && f.name.is_some());
    assert!(f.mime_type.is_none() && f.size.is_none());
    let one = drive
        .files()
        .get("emu-file-0001")
        .fields("id,size")
        .execute()
        .await
        .unwrap();
    assert_eq!(
        (one.id.is_some(), one.size.is_some(), one.name.is_none()),
        (true, true, true)
    );
}

#[tokio::test]
async fn dropped_bodies_are_refetched_and_tokeninfo_answers() {
    use gapi_emulator::Fault;
    let emu = emulator(true).await;
    let creds = sign_in(&emu).await;
    let token = access_token(&creds).await;
    let drive = drive_for(&emu, creds);
    emu.inject(Fault::DropMidBody);
    let list = drive.files().list().page_size(50).execute().await.unwrap();
    assert_eq!(list.files.unwrap().len(), 50);

    let oauth2 = gapi_oauth2_v2::Oauth2::builder()
        .root_url(emu.root_url())
        .build()
        .unwrap();
    let info = oauth2
        .tokeninfo()
        .access_token(token)
        .execute()
        .await
        .unwrap();
    assert_eq!(
        info.issued_to.as_deref(),
        Some("emulator-client.apps.googleusercontent.com")
    );
    let err = oauth2
        .tokeninfo()
        .access_token("bogus")
        .execute()
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(400));
}

/// A drip in front of a cut: the answer drips what it had, then fails. It
/// once came out as a whole, empty `200` (the drip swallowed the cut), which
/// a client reads as an empty last page: the soak's walk saw one page of
/// 228 files and ended there.
#[tokio::test]
async fn a_dripped_answer_that_is_cut_fails_rather_than_ends_empty() {
    use gapi_emulator::Fault;
    let emu = emulator(true).await;
    let creds = sign_in(&emu).await;
    let token = access_token(&creds).await;
    let url = format!(
        "{}drive/v3/files?pageSize=3&fields=files(id)",
        emu.root_url()
    );
    let get = || {
        reqwest::Client::new()
            .get(&url)
            .bearer_auth(&token)
            .timeout(std::time::Duration::from_secs(20))
            .send()
    };
    let whole = get().await.unwrap().bytes().await.unwrap();
    emu.inject(Fault::Drip);
    emu.inject(Fault::DropMidBody);
    let mut answer = get().await.unwrap();
    assert_eq!(answer.status(), 200);
    let mut received = Vec::new();
    let failure = loop {
        match answer.chunk().await {
            Ok(Some(piece)) => received.extend_from_slice(&piece),
            Ok(None) => break None,
            Err(e) => break Some(e),
        }
    };
    assert!(
        failure.is_some(),
        "the body ended after {} bytes",
        received.len()
    );
    assert_eq!(received, whole[..whole.len() / 2], "the half that was sent");
    assert_eq!(emu.pending_faults(), 0);

    // Through the runtime: the page is fetched again, whole.
    emu.inject(Fault::Drip);
    emu.inject(Fault::DropMidBody);
    let drive = drive_for(&emu, creds);
    let list = drive
        .files()
        .list()
        .page_size(3)
        .fields("files(id)")
        .execute()
        .await
        .unwrap();
    assert_eq!(list.files.map(|f| f.len()), Some(3));
}

/// A drip changes an answer's pace, not its headers: a dripped start of an
/// upload session keeps its `Location` (without it the client has no
/// session to send the bytes to).
#[tokio::test]
async fn a_dripped_answer_keeps_its_headers() {
    use gapi_emulator::Fault;
    let emu = emulator(true).await;
    let drive = drive_for(&emu, sign_in(&emu).await);
    let data: Vec<u8> = (0..1_000u32).map(|i| (i % 251) as u8).collect();
    emu.inject(Fault::Drip);
    let made = drive
        .files()
        .create(gapi_drive_v3::types::File::default().with_name("dripped.bin"))
        .upload_resumable(
            data.clone(),
            "application/octet-stream",
            gapi_runtime::media::ResumableOptions::default(),
        )
        .await
        .unwrap();
    assert_eq!(emu.pending_faults(), 0, "the drip was used");
    let mut back = Vec::new();
    drive
        .files()
        .get(made.id.unwrap())
        .download(&mut back)
        .await
        .unwrap();
    assert_eq!(back, data);
}

#[tokio::test]
async fn device_flow_against_the_emulator() {
    let emu = emulator(false).await;
    let mut client = client_config(&emu);
    client.client_id = "tv.apps.googleusercontent.com".into();
    let creds = gapi_auth::DeviceFlow::new(client, &["email"])
        .device_uri(format!("{}device/code", emu.root_url()))
        .show_code(|code| {
            // The person enters the code on their phone and approves.
            let url = format!(
                "{}?user_code={}&decision=allow",
                code.verification_url, code.user_code
            );
            tokio::spawn(async move {
                tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
                let _ = reqwest::get(url).await;
            });
        })
        .authenticate()
        .await
        .unwrap();
    let oauth2 = gapi_oauth2_v2::Oauth2::builder()
        .root_url(emu.root_url())
        .credentials(creds)
        .build()
        .unwrap();
    assert_eq!(
        oauth2
            .userinfo()
            .get()
            .execute()
            .await
            .unwrap()
            .name
            .as_deref(),
        Some("Ada Lovelace")
    );
}

#[tokio::test]
async fn a_signed_in_user_lets_your_code_skip_the_consent_page() {
    let emu = emulator(false).await; // no auto-consent: a browser visit would hang
    let dir = tempfile::tempdir().unwrap();
    let user = emu.sign_in(&[gapi_drive_v3::scopes::DRIVE_METADATA_READONLY]);
    assert!(!format!("{user:?}").contains(&user.access_token));
    let secrets = dir.path().join("client_secret.json");
    let cache = dir.path().join("token.json");
    std::fs::write(&secrets, user.client_secrets_json()).unwrap();
    std::fs::write(&cache, user.token_json()).unwrap();

    let visits = Arc::new(AtomicUsize::new(0));
    let creds = InstalledFlow::from_client_secrets_file(
        &secrets,
        &[gapi_drive_v3::scopes::DRIVE_METADATA_READONLY],
    )
    .token_cache(&cache)
    .browser(browser(visits.clone()))
    .authenticate()
    .await
    .unwrap();
    assert_eq!(visits.load(Ordering::SeqCst), 0, "no browser was opened");
    let drive = drive_for(&emu, creds);
    assert_eq!(newest_five(&drive).await.files.unwrap().len(), 5);

    // The refresh token works too: after the access token dies, the client
    // refreshes at the emulator and carries on.
    emu.inject(gapi_emulator::Fault::ExpireTokens);
    let again = drive.files().list().page_size(1).execute().await.unwrap();
    assert_eq!(again.files.unwrap().len(), 1);

    // The ADC form signs in the same user.
    let adc = dir.path().join("adc.json");
    std::fs::write(&adc, user.authorized_user_json()).unwrap();
    let parsed: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&adc).unwrap()).unwrap();
    assert_eq!(parsed["type"], "authorized_user");
    assert_eq!(parsed["token_uri"], emu.token_uri());
}

/// Incremental authorization: a cached user who lacks a scope asked for now
/// signs in once more for everything (`include_granted_scopes`), and the
/// cache keeps one user with every scope, so neither scope prompts again.
#[tokio::test]
async fn a_new_scope_is_added_to_the_cached_user() {
    use gapi_drive_v3::scopes::DRIVE_METADATA_READONLY;
    const EMAIL: &str = "https://www.googleapis.com/auth/userinfo.email";
    let emu = emulator(true).await;
    let dir = tempfile::tempdir().unwrap();
    let cache = dir.path().join("token.json");
    let urls = Arc::new(std::sync::Mutex::new(Vec::<String>::new()));
    let flow = |scope: &str| {
        let urls = urls.clone();
        InstalledFlow::new(client_config(&emu), &[scope])
            .token_cache(&cache)
            .browser(move |url: &str| {
                urls.lock().unwrap().push(url.to_string());
                let url = url.to_string();
                tokio::spawn(async move {
                    let _ = reqwest::get(url).await;
                });
                Ok(())
            })
    };
    flow(DRIVE_METADATA_READONLY).authenticate().await.unwrap();
    let creds = flow(EMAIL).authenticate().await.unwrap();
    {
        let urls = urls.lock().unwrap();
        assert_eq!(urls.len(), 2);
        let second = reqwest::Url::parse(&urls[1]).unwrap();
        let query: std::collections::HashMap<_, _> = second.query_pairs().into_owned().collect();
        assert_eq!(query["include_granted_scopes"], "true");
        assert_eq!(query["scope"], format!("{EMAIL} {DRIVE_METADATA_READONLY}"));
    }
    // Both scopes work with the one token…
    let drive = drive_for(&emu, creds.clone());
    newest_five(&drive).await;
    let oauth2 = gapi_oauth2_v2::Oauth2::builder()
        .root_url(emu.root_url())
        .credentials(creds)
        .build()
        .unwrap();
    oauth2.userinfo().get().execute().await.unwrap();
    // …and neither asks again.
    flow(DRIVE_METADATA_READONLY).authenticate().await.unwrap();
    flow(EMAIL).authenticate().await.unwrap();
    assert_eq!(urls.lock().unwrap().len(), 2);
    let cached: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&cache).unwrap()).unwrap();
    assert_eq!(
        cached["scopes"],
        serde_json::json!([EMAIL, DRIVE_METADATA_READONLY])
    );
}
