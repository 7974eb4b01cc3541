"""A real IMAP server for tests: Debian's dovecot (installed by tests/run.sh), started once
per test session on a free port with a throwaway config, mail directory and user list; the
system's dovecot service and /etc/dovecot are never used."""

from __future__ import annotations

import grp
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

USER, PASSWORD = "replies@example.org", "correct horse battery staple"


@dataclass
class Dovecot:
    """A running dovecot: where it listens and who may sign in."""

    host: str
    port: int
    user: str
    password: str
    root: Path
    process: subprocess.Popen
    tls_port: int | None = None  # implicit TLS (IMAPS), certified by `ca_file`
    ca_file: str | None = None

    def config(self) -> dict:
        """The app's IMAP_* settings for this server (plain IMAP: it listens on loopback)."""
        return {"IMAP_SERVER": self.host, "IMAP_PORT": self.port, "IMAP_USE_SSL": False,
                "IMAP_USE_TLS": False, "IMAP_USERNAME": self.user,
                "IMAP_PASSWORD": self.password, "IMAP_FOLDER": "INBOX",
                "IMAP_PROCESSED_FOLDER": None}

    def empty(self) -> None:
        """Delete every folder's messages (and every folder but INBOX) between tests."""
        from imap_tools import MailBoxUnencrypted

        with MailBoxUnencrypted(self.host, self.port).login(self.user, self.password) as box:
            for folder in box.folder.list():
                if folder.name != "INBOX":
                    box.folder.delete(folder.name)
            box.folder.set("INBOX")
            uids = box.uids()
            if uids:
                box.delete(uids)

    def stop(self) -> None:
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
        shutil.rmtree(self.root, ignore_errors=True)


def _binary() -> str | None:
    return shutil.which("dovecot") or next(
        (p for p in ("/usr/sbin/dovecot", "/usr/local/sbin/dovecot") if os.path.exists(p)), None)


def _mail_user() -> pwd.struct_passwd:
    """Who owns the mail: ourselves, or, when tests run as root (CI), the unprivileged
    account the dovecot package made (dovecot refuses to keep mail as root)."""
    if os.getuid() != 0:
        return pwd.getpwuid(os.getuid())
    for name in ("dovenull", "nobody"):
        try:
            return pwd.getpwnam(name)
        except KeyError:
            continue
    raise RuntimeError("no unprivileged account for dovecot's mail")


def _certificate(root: Path) -> tuple[Path, Path] | None:
    """A throwaway self-signed certificate for localhost and 127.0.0.1 (openssl), or None."""
    openssl = shutil.which("openssl")
    if openssl is None:
        return None
    cert, key = root / "cert.pem", root / "key.pem"
    done = subprocess.run(
        [openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
         "-keyout", str(key), "-out", str(cert), "-subj", "/CN=localhost",
         "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"], capture_output=True)
    return (cert, key) if done.returncode == 0 else None


def _free_ports(n: int) -> list[int]:
    """`n` distinct ports free now (all held while picked: two picks one after the other can
    be the same port). Dovecot binds them itself, later; start() retries if one was taken."""
    socks = [socket.socket() for _ in range(n)]
    try:
        for sock in socks:
            sock.bind(("127.0.0.1", 0))
        return [sock.getsockname()[1] for sock in socks]
    finally:
        for sock in socks:
            sock.close()


class _PortTaken(RuntimeError):
    """Dovecot could not listen: a port free when picked was taken before it bound it."""


def start() -> Dovecot | None:
    """Start dovecot; None if it isn't installed. Raises if it is but won't serve."""
    binary = _binary()
    if binary is None:
        return None
    for _ in range(2):
        try:
            return _start(binary)
        except _PortTaken:
            pass
    return _start(binary)


def _start(binary: str) -> Dovecot:
    owner = _mail_user()
    me = pwd.getpwuid(os.getuid())
    root = Path(tempfile.mkdtemp(prefix="liaison-dovecot-"))
    for sub in ("run", "mail", "state"):
        (root / sub).mkdir()
    pair = _certificate(root)
    port, tls_port = _free_ports(2) if pair else (*_free_ports(1), None)
    tls = (f"ssl = yes\nssl_cert = <{pair[0]}\nssl_key = <{pair[1]}\n" if pair else "ssl = no\n")
    (root / "users").write_text(f"{USER}:{{PLAIN}}{PASSWORD}::::::\n")
    (root / "dovecot.conf").write_text(f"""
protocols = imap
listen = 127.0.0.1
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
{tls}disable_plaintext_auth = no
auth_mechanisms = plain login
default_internal_user = {me.pw_name}
default_internal_group = {grp.getgrgid(me.pw_gid).gr_name}
default_login_user = {owner.pw_name if os.getuid() == 0 else me.pw_name}
first_valid_uid = {owner.pw_uid}
first_valid_gid = 0
mail_location = maildir:{root}/mail/%n
mail_uid = {owner.pw_uid}
mail_gid = {owner.pw_gid}
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/users
}}
userdb {{
  driver = static
  args = home={root}/mail/%n
}}
service imap-login {{
  chroot =
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    address = 127.0.0.1
    port = {tls_port or 0}
  }}
}}
service anvil {{
  chroot =
}}
service stats {{
  unix_listener stats-writer {{
    mode = 0666
  }}
}}
""")
    os.chown(root / "mail", owner.pw_uid, owner.pw_gid)
    os.chmod(root, 0o711)  # noqa: S103  (the mail user only passes through to mail/)
    process = subprocess.Popen([binary, "-F", "-c", str(root / "dovecot.conf")],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    log_path = root / "dovecot.log"
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        if process.poll() is not None:
            break
        # Dovecot logs this once its listeners are bound: until then, a "* OK" on the port
        # could come from whoever took it (another test run's dovecot).
        if not log_path.exists() or "starting up" not in log_path.read_text():
            time.sleep(0.1)
            continue
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as sock:
                if sock.recv(100).startswith(b"* OK"):
                    return Dovecot("127.0.0.1", port, USER, PASSWORD, root, process,
                                   tls_port, str(pair[0]) if pair else None)
        except OSError:
            time.sleep(0.1)
    process.kill()
    output = process.communicate()[0].decode(errors="replace")
    log = log_path.read_text() if log_path.exists() else ""
    shutil.rmtree(root, ignore_errors=True)
    failed = _PortTaken if "Address already in use" in output + log else RuntimeError
    raise failed(f"dovecot did not start:\n{output}\n{log}")
