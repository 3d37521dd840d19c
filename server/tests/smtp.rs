//! The SMTP sender against a real (minimal) SMTP server on loopback.

use std::sync::{Arc, Mutex};

use keyward_server::email::{Email, EmailKind, EmailSender, SmtpSender};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

/// Accepts one SMTP conversation and records the commands and the message.
async fn smtp_sink(listener: TcpListener, transcript: Arc<Mutex<Vec<String>>>) {
    let (stream, _) = listener.accept().await.expect("accepts");
    let (read, mut write) = stream.into_split();
    let mut lines = BufReader::new(read).lines();
    write.write_all(b"220 sink ESMTP\r\n").await.expect("greets");
    let mut in_data = false;
    while let Ok(Some(line)) = lines.next_line().await {
        transcript.lock().expect("lock").push(line.clone());
        if in_data {
            if line == "." {
                in_data = false;
                write.write_all(b"250 queued\r\n").await.expect("writes");
            }
            continue;
        }
        let verb = line.split(' ').next().unwrap_or("").to_ascii_uppercase();
        let reply: &[u8] = match verb.as_str() {
            "EHLO" => b"250-sink\r\n250 8BITMIME\r\n",
            "DATA" => {
                in_data = true;
                b"354 go ahead\r\n"
            }
            "QUIT" => {
                let _ = write.write_all(b"221 bye\r\n").await;
                break;
            }
            _ => b"250 ok\r\n",
        };
        write.write_all(reply).await.expect("writes");
    }
}

#[tokio::test]
async fn sends_through_smtp() {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("binds");
    let port = listener.local_addr().expect("addr").port();
    let transcript = Arc::new(Mutex::new(Vec::new()));
    let sink = tokio::spawn(smtp_sink(listener, transcript.clone()));
    let sender =
        SmtpSender::new(&format!("smtp://127.0.0.1:{port}"), "Keyward <auth@example.com>").expect("configures");
    sender
        .send(&Email {
            kind: EmailKind::ResetPassword,
            to: "ada@example.com".into(),
            user_id: "u1".into(),
            subject: "Reset your password".into(),
            text: "Open http://localhost:3000/api/auth/reset-password/abc".into(),
            url: Some("http://localhost:3000/api/auth/reset-password/abc".into()),
            token: "abc".into(),
            new_email: None,
        })
        .await
        .expect("delivered");
    drop(sender);
    let _ = tokio::time::timeout(std::time::Duration::from_secs(5), sink).await;
    let lines = transcript.lock().expect("lock").clone();
    assert!(
        lines.iter().any(|l| l.starts_with("MAIL FROM:<auth@example.com>")),
        "{lines:?}"
    );
    assert!(
        lines.iter().any(|l| l.starts_with("RCPT TO:<ada@example.com>")),
        "{lines:?}"
    );
    assert!(lines.iter().any(|l| l == "Subject: Reset your password"), "{lines:?}");
    assert!(lines.iter().any(|l| l.contains("reset-password/abc")), "{lines:?}");
}

#[tokio::test]
async fn unreachable_smtp_is_an_error_not_a_panic() {
    let sender = SmtpSender::new("smtp://127.0.0.1:9", "auth@example.com").expect("configures");
    let result = sender
        .send(&Email {
            kind: EmailKind::VerifyEmail,
            to: "ada@example.com".into(),
            user_id: "u1".into(),
            subject: "s".into(),
            text: "t".into(),
            url: Some("u".into()),
            token: "t".into(),
            new_email: None,
        })
        .await;
    assert!(result.is_err());
    assert!(SmtpSender::new("not a url", "a@b.co").is_err());
    assert!(SmtpSender::new("smtp://127.0.0.1:25", "not an address").is_err());
}
