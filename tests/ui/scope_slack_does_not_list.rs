use tray_auth::CreateAuthentication;
use tray_connectors::slack;

fn main() {
    let _ = CreateAuthentication::new("auth", slack::PRODUCTION, slack::Credentials {})
        .scopes([slack::Scope::ChatWrite, slack::Scope::AdminUsersWrite]);
}
