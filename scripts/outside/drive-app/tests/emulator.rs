//! The README's "Test your code against the emulator", followed literally:
//! a signed-in user without a consent page, clients pointed at the emulator.

use gapi_drive_v3::scopes::DRIVE_METADATA_READONLY;

#[tokio::test]
async fn the_first_call_works_against_the_emulator() -> Result<(), drive_app::Error> {
    let emu = gapi_emulator::Emulator::start(Default::default()).await?;
    let user = emu.sign_in(&[DRIVE_METADATA_READONLY]);
    let dir = std::env::temp_dir().join(format!("drive-app-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    std::fs::write(dir.join("client_secret.json"), user.client_secrets_json())?;
    std::fs::write(dir.join("token.json"), user.token_json())?;

    let drive = drive_app::drive(&dir, Some(emu.root_url())).await?;
    assert_eq!(drive_app::newest_five(&drive).await?.len(), 5);
    assert_eq!(drive_app::count_all(&drive).await?, 250);
    std::fs::remove_dir_all(&dir)?;
    Ok(())
}
