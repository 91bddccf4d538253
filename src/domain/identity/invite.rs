//! Invitations: the message a user created with `invite: true` gets (`/v1/mgmt/user/create`,
//! `/create/batch`; the SDKs' `invite` and `invite_batch`/`inviteBatch`).
//!
//! An invitation goes by email to the user's email unless `sendMail` is false, and by text
//! message to their phone when `sendSMS` is true; a request that does not say follows the
//! project's settings (Descope's defaults: email yes, text no). The message links to the
//! request's `inviteUrl`, else the project's; with the project's "Add a Magic Link token to
//! the invitation" setting (`inviteMagicLink`) the link carries a magic-link token `t=` that
//! `POST /v1/auth/magiclink/verify` accepts (docs.descope.com/invite-users).

use crate::domain::authn::passwordless;
use crate::domain::identity::users::User;
use crate::domain::messaging::channel::{ChannelKind, INVITE_KIND};
use crate::domain::messaging::outbox::{self, Outgoing};
use crate::domain::Ctx;
use crate::error::ApiResult;
use crate::store::Conn;

/// How an invitation is sent (`inviteUrl`, `sendMail`, `sendSMS` of a create request).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct InviteOptions {
    /// Empty: the project's invite URL.
    pub invite_url: String,
    /// `None`: the project's setting (email by default).
    pub send_mail: Option<bool>,
    /// `None`: the project's setting (no text message by default).
    pub send_sms: Option<bool>,
}

/// Writes the invitation messages of a new user, in the caller's transaction; returns how
/// many were written (the caller notifies outbox readers after the commit). A channel the
/// user has no address for is skipped.
// descope-compat: unconfirmed what Descope does when the user has no address for a channel
// the invitation should go by, or when no invite URL is given or configured; the emulator
// skips that channel, and sends an invitation without a link.
pub async fn send(conn: &mut Conn, ctx: &Ctx, user: &User, options: &InviteOptions) -> ApiResult<usize> {
    let settings = &ctx.project.settings;
    let channels = [
        (ChannelKind::Email, options.send_mail.unwrap_or(settings.invite_send_email), &user.row.email),
        (ChannelKind::Sms, options.send_sms.unwrap_or(settings.invite_send_sms), &user.row.phone),
    ];
    let url = Some(options.invite_url.as_str())
        .filter(|u| !u.is_empty())
        .or(Some(settings.invite_url.as_str()).filter(|u| !u.is_empty()));
    let login_id = user.login_ids.first().map(String::as_str).unwrap_or_default();
    let mut sent = 0;
    for (channel, wanted, address) in channels {
        if !wanted || address.is_empty() {
            continue;
        }
        let (token, link) = if settings.invite_magic_link {
            let (token, link) =
                passwordless::invite_token(conn, ctx, channel, login_id, address, url).await?;
            (Some(token), Some(link))
        } else {
            (None, url.map(str::to_owned))
        };
        outbox::write(
            conn,
            ctx,
            Outgoing {
                channel,
                to: address,
                login_id,
                kind: INVITE_KIND,
                code: None,
                link: link.as_deref(),
                token: token.as_deref(),
            },
        )
        .await?;
        sent += 1;
    }
    Ok(sent)
}
