//! TOTP (RFC 6238: HMAC-SHA1, 30-second steps, 6 digits, one step of drift either way),
//! judged by the emulator clock. The base32 secret lives on the user row (`totp_secret`,
//! which drives the user object's `TOTP` flag).

use base64::Engine;

use crate::clock::UnixTime;
use crate::crypto;
use crate::domain::authn::password::{contact_of, finish_sign_in, sign_up_user};
use crate::domain::authn::passwordless::SignUpDetails;
use crate::domain::authn::{require_login_id_and_code, SignInAttempt};
use crate::domain::identity::users::{self, User};
use crate::domain::sessions::{AuthInfo, Claims};
use crate::domain::Ctx;
use crate::error::{ApiError, ApiResult, ErrorKind};
use crate::store::Db;
use crate::store::{self, Conn};

/// The `amr` of a TOTP sign-in.
pub const AMR_TOTP: &str = "totp";
pub const STEP_SECS: i64 = 30;
pub const DIGITS: u32 = 6;
/// Bytes of a new secret (160 bits, as RFC 4226 recommends).
const SECRET_BYTES: usize = 20;

/// What an authenticator app needs: the `otpauth://` URL, it as a QR code (base64 PNG),
/// and the base32 key to paste.
#[derive(Debug, Clone)]
pub struct Enrollment {
    pub provisioning_url: String,
    pub image: String,
    pub key: String,
}

/// The code of a base32 secret at a time (RFC 6238 with SHA-1).
pub fn code_at(secret_base32: &str, at: UnixTime) -> ApiResult<String> {
    let secret = data_encoding::BASE32_NOPAD
        .decode(secret_base32.trim_end_matches('=').as_bytes())
        .map_err(|_| ApiError::internal("damaged TOTP secret"))?;
    Ok(code_for_step(&secret, at.secs().div_euclid(STEP_SECS)))
}

fn code_for_step(secret: &[u8], step: i64) -> String {
    use aws_lc_rs::hmac;
    let key = hmac::Key::new(hmac::HMAC_SHA1_FOR_LEGACY_USE_ONLY, secret);
    let tag = hmac::sign(&key, &step.to_be_bytes());
    let mac = tag.as_ref();
    let offset = (mac[mac.len() - 1] & 0x0f) as usize;
    let binary = u32::from_be_bytes([mac[offset] & 0x7f, mac[offset + 1], mac[offset + 2], mac[offset + 3]]);
    format!("{:0width$}", binary % 10u32.pow(DIGITS), width = DIGITS as usize)
}

fn url_component(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'@' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// A new secret and what the authenticator needs to enrol it.
fn new_enrollment(ctx: &Ctx, login_id: &str) -> ApiResult<Enrollment> {
    let mut secret = [0u8; SECRET_BYTES];
    crate::crypto::random_bytes(&mut secret);
    let key = data_encoding::BASE32_NOPAD.encode(&secret);
    let issuer = url_component(&ctx.project.name);
    let provisioning_url = format!(
        "otpauth://totp/{issuer}:{}?secret={key}&issuer={issuer}&algorithm=SHA1&digits={DIGITS}&period={STEP_SECS}",
        url_component(login_id)
    );
    let image = base64::engine::general_purpose::STANDARD.encode(qr_png(&provisioning_url)?);
    Ok(Enrollment { provisioning_url, image, key })
}

/// Renders text as a QR code PNG: black modules on white, 4 pixels each, 4-module margin.
pub(crate) fn qr_png(text: &str) -> ApiResult<Vec<u8>> {
    const SCALE: usize = 4;
    const MARGIN: usize = 4;
    // A QR code holds about 2.9 KB: a longer text (a login ID of thousands of characters) is
    // the caller's input at fault, not the server.
    let code = qrcode::QrCode::new(text.as_bytes()).map_err(|e| match e {
        qrcode::types::QrError::DataTooLong => {
            ApiError::invalid("The login ID is too long for a TOTP enrollment QR code")
        }
        other => ApiError::internal(other),
    })?;
    let modules = code.width();
    let colors = code.to_colors();
    let side = (modules + 2 * MARGIN) * SCALE;
    let mut pixels = vec![255u8; side * side];
    for (i, color) in colors.iter().enumerate() {
        if *color != qrcode::Color::Dark {
            continue;
        }
        let (mx, my) = (i % modules + MARGIN, i / modules + MARGIN);
        for y in my * SCALE..(my + 1) * SCALE {
            pixels[y * side + mx * SCALE..y * side + (mx + 1) * SCALE].fill(0);
        }
    }
    let mut out = Vec::new();
    {
        let mut encoder = png::Encoder::new(&mut out, side as u32, side as u32);
        encoder.set_color(png::ColorType::Grayscale);
        encoder.set_depth(png::BitDepth::Eight);
        let mut writer = encoder.write_header().map_err(ApiError::internal)?;
        writer.write_image_data(&pixels).map_err(ApiError::internal)?;
    }
    Ok(out)
}

async fn store_secret(conn: &mut Conn, ctx: &Ctx, user: &mut User, key: &str) -> ApiResult<()> {
    user.row.totp_secret = Some(key.to_owned());
    user.row.modified_ms = ctx.now.millis();
    store::users::update(conn, ctx.scope(), &user.row).await
}

/// `POST /v1/auth/totp/signup`: creates the user with a new TOTP secret. The user signs in
/// by verifying a first code.
pub async fn sign_up(db: &Db, ctx: &Ctx, login_id: &str, details: SignUpDetails) -> ApiResult<Enrollment> {
    let login_id = login_id.trim();
    if login_id.is_empty() {
        return Err(ApiError::missing("loginId"));
    }
    let contact = contact_of(login_id, &details)?;
    let enrollment = new_enrollment(ctx, login_id)?;
    let mut tx = store::begin_immediate(db).await?;
    if users::find_by_login_id(&mut tx, ctx.scope(), login_id).await?.is_some() {
        return Err(ApiError::new(ErrorKind::UserAlreadyExists, format!("User {login_id} already exists")));
    }
    let new_user = sign_up_user(login_id, contact, details, "totp");
    let mut user = users::create(&mut tx, ctx.scope(), ctx.now, new_user).await?;
    store_secret(&mut tx, ctx, &mut user, &enrollment.key).await?;
    tx.commit().await?;
    Ok(enrollment)
}

/// `POST /v1/auth/totp/update`: replaces the signed-in user's secret.
pub async fn update(db: &Db, ctx: &Ctx, claims: &Claims, login_id: &str) -> ApiResult<Enrollment> {
    let mut tx = store::begin_immediate(db).await?;
    let mut user = users::find_by_id(&mut tx, ctx.scope(), &claims.sub).await?.ok_or_else(|| {
        ApiError::new(ErrorKind::InvalidSessionToken, "The user of this session no longer exists")
    })?;
    user.ensure_can_sign_in()?;
    if !login_id.is_empty() && !user.login_ids.iter().any(|l| l == login_id) {
        return Err(ApiError::invalid(format!("Login ID {login_id} is not the signed-in user's")));
    }
    let label = user.login_ids.first().cloned().unwrap_or_else(|| login_id.to_owned());
    let enrollment = new_enrollment(ctx, &label)?;
    store_secret(&mut tx, ctx, &mut user, &enrollment.key).await?;
    tx.commit().await?;
    Ok(enrollment)
}

/// `POST /v1/auth/totp/verify`: checks a code against the steps around the emulator time
/// and signs the user in. With `stepup`/`mfa`, `session` is the caller's refresh token.
pub async fn verify(db: &Db, ctx: &Ctx, attempt: SignInAttempt<'_>) -> ApiResult<AuthInfo> {
    let SignInAttempt { login_id, code, options, session } = attempt;
    require_login_id_and_code(login_id, code)?;
    let result = async {
        let mut tx = store::begin_immediate(db).await?;
        let user = users::require_for_sign_in(&mut tx, ctx.scope(), login_id).await?;
        let key = user.row.totp_secret.clone().ok_or_else(|| {
            ApiError::invalid(format!("User {login_id} has no TOTP key; sign up or update first"))
        })?;
        let matches = (-1..=1).map(|d| ctx.now.plus_secs(d * STEP_SECS)).try_fold(false, |found, at| {
            Ok::<_, ApiError>(found || crypto::secrets_equal(&code_at(&key, at)?, code.trim()))
        })?;
        if !matches {
            return Err(ApiError::new(ErrorKind::InvalidOneTimeCode, "Wrong or expired TOTP code"));
        }
        finish_sign_in(tx, ctx, AMR_TOTP, "totp", options, session, user).await
    }
    .await;
    crate::domain::audit::on_login_failure(db, ctx, login_id, "totp", result).await
}
