//! A small SMTP server on loopback that speaks the real protocol and keeps what it receives, so
//! mail tests go through an actual SMTP conversation. It can be stopped and restarted on its port.
//! It can speak STARTTLS or implicit TLS (with a certificate from a [`crate::TestCa`]) and demand
//! a login (AUTH PLAIN and LOGIN), recording every login it was offered.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use base64::Engine;
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;
use tokio_rustls::TlsAcceptor;
use tokio_rustls::rustls::ServerConfig;

#[derive(Debug, Clone)]
pub struct Received {
    pub from: String,
    pub to: Vec<String>,
    pub data: String,
    /// The message came over an encrypted connection.
    pub over_tls: bool,
    /// The user the client logged in as, if it did.
    pub login: Option<String>,
}

/// A login attempt as the sink saw it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Login {
    pub mechanism: String,
    pub user: String,
    pub password: String,
    pub over_tls: bool,
    pub accepted: bool,
}

/// How the sink protects its connections.
#[derive(Clone, Default)]
pub enum SinkTls {
    /// Clear text only; STARTTLS is not offered.
    #[default]
    None,
    /// Offers STARTTLS (and a login only after it).
    StartTls(Arc<ServerConfig>),
    /// TLS from the first byte (`smtps`).
    Implicit(Arc<ServerConfig>),
}

#[derive(Clone, Default)]
pub struct SinkOptions {
    pub tls: SinkTls,
    /// When set, the sink offers AUTH, accepts only this user and password, and refuses mail
    /// (530) before a successful login.
    pub login: Option<(String, String)>,
    /// The mechanisms offered with AUTH, e.g. `"PLAIN LOGIN"` or `"LOGIN"`; empty means both.
    pub mechanisms: &'static str,
}

struct Shared {
    options: SinkOptions,
    received: Arc<Mutex<Vec<Received>>>,
    logins: Mutex<Vec<Login>>,
    tls_failures: AtomicUsize,
}

impl Received {
    /// The subject with RFC 2047 encoded words decoded.
    pub fn subject(&self) -> String {
        let mut lines = self.data.lines().skip_while(|l| !l.starts_with("Subject:"));
        let mut raw = lines
            .next()
            .unwrap_or_default()
            .trim_start_matches("Subject:")
            .trim()
            .to_owned();
        for cont in lines.take_while(|l| l.starts_with(' ') || l.starts_with('\t')) {
            raw.push_str(cont.trim());
        }
        decode_words(&raw)
    }

    /// The decoded text of the first text/plain part.
    pub fn text(&self) -> String {
        let lower = self.data.to_ascii_lowercase();
        let start = lower.find("content-type: text/plain").unwrap_or(0);
        let part = &self.data[start..];
        let body_start = part.find("\r\n\r\n").map(|i| i + 4).unwrap_or(0);
        let body = &part[body_start..];
        let body = body.split("\r\n--").next().unwrap_or(body);
        let header = part[..body_start].to_ascii_lowercase();
        if header.contains("base64") {
            let joined: String = body.split_whitespace().collect();
            String::from_utf8_lossy(
                &base64::engine::general_purpose::STANDARD
                    .decode(joined)
                    .unwrap_or_default(),
            )
            .into_owned()
        } else {
            body.to_owned()
        }
    }
}

fn decode_words(s: &str) -> String {
    let mut out = String::new();
    let mut rest = s;
    let mut after_word = false;
    while let Some(start) = rest.find("=?") {
        // Whitespace between two encoded words is folding, not text (RFC 2047 §6.2).
        let between = &rest[..start];
        if !(after_word && between.trim().is_empty()) {
            out.push_str(between);
        }
        after_word = true;
        let word = &rest[start + 2..];
        let parts: Vec<&str> = word.splitn(3, '?').collect();
        if parts.len() < 3 {
            break;
        }
        let Some(end) = parts[2].find("?=") else {
            break;
        };
        let text = &parts[2][..end];
        if parts[1].eq_ignore_ascii_case("b") {
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(text)
                .unwrap_or_default();
            out.push_str(&String::from_utf8_lossy(&bytes));
        } else {
            out.push_str(text);
        }
        let consumed = start + 2 + parts[0].len() + 1 + parts[1].len() + 1 + end + 2;
        rest = &rest[consumed..];
    }
    out.push_str(rest);
    out.trim().to_owned()
}

pub struct SmtpSink {
    pub port: u16,
    pub received: Arc<Mutex<Vec<Received>>>,
    shared: Arc<Shared>,
    task: Option<JoinHandle<()>>,
}

impl SmtpSink {
    /// A clear-text sink that takes mail from anyone.
    pub async fn start() -> SmtpSink {
        SmtpSink::start_with(SinkOptions::default()).await
    }

    pub async fn start_with(options: SinkOptions) -> SmtpSink {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let received = Arc::new(Mutex::new(Vec::new()));
        let shared = Arc::new(Shared {
            options,
            received: received.clone(),
            logins: Mutex::new(Vec::new()),
            tls_failures: AtomicUsize::new(0),
        });
        let task = Some(serve(listener, shared.clone()));
        SmtpSink {
            port,
            received,
            shared,
            task,
        }
    }

    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    /// Stops listening: connections are refused until `restart`.
    pub fn stop(&mut self) {
        if let Some(t) = self.task.take() {
            t.abort();
        }
    }

    pub async fn restart(&mut self) {
        self.stop();
        let listener = loop {
            match TcpListener::bind(("127.0.0.1", self.port)).await {
                Ok(l) => break l,
                Err(_) => tokio::time::sleep(std::time::Duration::from_millis(20)).await,
            }
        };
        self.task = Some(serve(listener, self.shared.clone()));
    }

    pub fn messages(&self) -> Vec<Received> {
        self.received.lock().unwrap().clone()
    }

    /// Every login the sink was offered, accepted or not.
    pub fn logins(&self) -> Vec<Login> {
        self.shared.logins.lock().unwrap().clone()
    }

    /// TLS handshakes that failed (e.g. the client did not trust the certificate).
    pub fn tls_failures(&self) -> usize {
        self.shared.tls_failures.load(Ordering::SeqCst)
    }
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        self.stop();
    }
}

fn serve(listener: TcpListener, shared: Arc<Shared>) -> JoinHandle<()> {
    tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                return;
            };
            tokio::spawn(conversation(stream, shared.clone()));
        }
    })
}

async fn conversation(stream: TcpStream, shared: Arc<Shared>) {
    let handshake = |config: &Arc<ServerConfig>, stream| {
        let acceptor = TlsAcceptor::from(config.clone());
        let shared = shared.clone();
        async move {
            let tls = acceptor.accept(stream).await;
            if tls.is_err() {
                shared.tls_failures.fetch_add(1, Ordering::SeqCst);
            }
            tls.ok()
        }
    };
    match &shared.options.tls {
        SinkTls::Implicit(config) => {
            if let Some(tls) = handshake(config, stream).await {
                session(tls, true, true, &shared).await;
            }
        }
        SinkTls::StartTls(config) => {
            if let Some(plain) = session(stream, false, true, &shared).await
                && let Some(tls) = handshake(config, plain).await
            {
                session(tls, true, false, &shared).await;
            }
        }
        SinkTls::None => {
            session(stream, false, true, &shared).await;
        }
    }
}

/// One SMTP session on `stream`. Returns the stream when the client asked for STARTTLS and
/// was told to go ahead.
async fn session<S: AsyncRead + AsyncWrite + Unpin>(
    stream: S,
    over_tls: bool,
    greet: bool,
    shared: &Shared,
) -> Option<S> {
    let options = &shared.options;
    let offers_starttls = matches!(options.tls, SinkTls::StartTls(_)) && !over_tls;
    // With STARTTLS on offer, a login is offered only once encrypted.
    let offers_auth = options.login.is_some() && !offers_starttls;
    let mechanisms = if options.mechanisms.is_empty() {
        "PLAIN LOGIN"
    } else {
        options.mechanisms
    };
    let mut reader = BufReader::new(stream);
    if greet && reply(&mut reader, "220 sink ESMTP\r\n").await.is_err() {
        return None;
    }
    let (mut from, mut to) = (String::new(), Vec::new());
    let mut login: Option<String> = None;
    let mut line = String::new();
    loop {
        line.clear();
        if reader.read_line(&mut line).await.unwrap_or(0) == 0 {
            return None;
        }
        let cmd = line.trim_end().to_ascii_uppercase();
        let answer: String = if cmd.starts_with("EHLO") || cmd.starts_with("HELO") {
            let mut lines = vec!["sink".to_owned(), "8BITMIME".to_owned()];
            if offers_starttls {
                lines.push("STARTTLS".into());
            }
            if offers_auth {
                lines.push(format!("AUTH {mechanisms}"));
            }
            let last = lines.len() - 1;
            lines
                .iter()
                .enumerate()
                .map(|(i, l)| format!("250{}{l}\r\n", if i == last { ' ' } else { '-' }))
                .collect()
        } else if cmd == "STARTTLS" {
            if offers_starttls {
                reply(&mut reader, "220 2.0.0 ready to start TLS\r\n")
                    .await
                    .ok()?;
                return Some(reader.into_inner());
            }
            "502 5.5.1 STARTTLS not offered\r\n".into()
        } else if cmd.starts_with("AUTH ") {
            let raw_args = line.trim_end()[5..].trim().to_owned();
            let mut words = raw_args.split_whitespace();
            let mechanism = words.next().unwrap_or_default().to_ascii_uppercase();
            let initial = words.next().map(str::to_owned);
            let offered = offers_auth
                && mechanisms
                    .split_whitespace()
                    .any(|m| m.eq_ignore_ascii_case(&mechanism));
            if !offered {
                "504 5.5.4 mechanism not offered\r\n".into()
            } else {
                let (user, password) =
                    read_login(&mut reader, &mechanism, initial, &mut line).await?;
                let accepted = options
                    .login
                    .as_ref()
                    .is_some_and(|(u, p)| *u == user && *p == password);
                shared.logins.lock().unwrap().push(Login {
                    mechanism,
                    user: user.clone(),
                    password,
                    over_tls,
                    accepted,
                });
                if accepted {
                    login = Some(user);
                    "235 2.7.0 authenticated\r\n".into()
                } else {
                    "535 5.7.8 bad credentials\r\n".into()
                }
            }
        } else if cmd.starts_with("MAIL FROM:") {
            if options.login.is_some() && login.is_none() {
                "530 5.7.0 authentication required\r\n".into()
            } else {
                from = line.trim_end()[10..]
                    .trim()
                    .trim_matches(['<', '>'])
                    .to_owned();
                "250 ok\r\n".into()
            }
        } else if cmd.starts_with("RCPT TO:") {
            to.push(
                line.trim_end()[8..]
                    .trim()
                    .trim_matches(['<', '>'])
                    .to_owned(),
            );
            "250 ok\r\n".into()
        } else if cmd == "DATA" {
            reply(&mut reader, "354 go ahead\r\n").await.ok()?;
            let mut data = String::new();
            loop {
                line.clear();
                if reader.read_line(&mut line).await.unwrap_or(0) == 0 {
                    return None;
                }
                if line == ".\r\n" {
                    break;
                }
                data.push_str(
                    line.strip_prefix('.')
                        .filter(|_| line.starts_with(".."))
                        .unwrap_or(&line),
                );
            }
            shared.received.lock().unwrap().push(Received {
                from: from.clone(),
                to: std::mem::take(&mut to),
                data,
                over_tls,
                login: login.clone(),
            });
            "250 queued\r\n".into()
        } else if cmd == "QUIT" {
            let _ = reply(&mut reader, "221 bye\r\n").await;
            return None;
        } else {
            "250 ok\r\n".into()
        };
        if reply(&mut reader, &answer).await.is_err() {
            return None;
        }
    }
}

async fn reply<S: AsyncRead + AsyncWrite + Unpin>(
    reader: &mut BufReader<S>,
    text: &str,
) -> std::io::Result<()> {
    let stream = reader.get_mut();
    stream.write_all(text.as_bytes()).await?;
    stream.flush().await
}

/// Reads the rest of an AUTH PLAIN or LOGIN exchange: the user and password the client gave.
async fn read_login<S: AsyncRead + AsyncWrite + Unpin>(
    reader: &mut BufReader<S>,
    mechanism: &str,
    initial: Option<String>,
    line: &mut String,
) -> Option<(String, String)> {
    let b64 = base64::engine::general_purpose::STANDARD;
    let decode = |s: &str| String::from_utf8(b64.decode(s.trim()).ok()?).ok();
    let mut ask = async |reader: &mut BufReader<S>, prompt: &str| -> Option<String> {
        reply(reader, &format!("334 {}\r\n", b64.encode(prompt)))
            .await
            .ok()?;
        line.clear();
        reader.read_line(line).await.ok()?;
        Some(line.trim_end().to_owned())
    };
    if mechanism == "PLAIN" {
        let response = match initial {
            Some(i) => i,
            None => ask(reader, "").await?,
        };
        let decoded = decode(&response)?;
        let mut parts = decoded.split('\0');
        let (_authzid, user, password) = (parts.next()?, parts.next()?, parts.next()?);
        Some((user.to_owned(), password.to_owned()))
    } else {
        let user = match initial {
            Some(i) => i,
            None => ask(reader, "Username:").await?,
        };
        let password = ask(reader, "Password:").await?;
        Some((decode(&user)?, decode(&password)?))
    }
}
