"""A real OpenLDAP server (Debian's slapd) on loopback for the LDAP tests, with
a small directory: people, a group per role, and a group of disabled accounts.

Skips with the reason when slapd or python-ldap is absent, and fails instead
under QMS_REQUIRE_SERVICES=1 (CI), like tests/celery_utils.py."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

REQUIRED = os.environ.get("QMS_REQUIRE_SERVICES") == "1"
SUFFIX = "dc=example,dc=com"
ROOT_DN = f"cn=admin,{SUFFIX}"
ROOT_PW = "directory-secret"  # noqa: S105 - a throwaway test directory
PEOPLE = f"ou=people,{SUFFIX}"
GROUPS = f"ou=groups,{SUFFIX}"
USER_PASSWORD = "ldap-pass-Word-1"  # noqa: S105

SLAPD = shutil.which("slapd") or ("/usr/sbin/slapd" if Path("/usr/sbin/slapd").exists() else None)

CONF = """
include /etc/ldap/schema/core.schema
include /etc/ldap/schema/cosine.schema
include /etc/ldap/schema/inetorgperson.schema
include /etc/ldap/schema/nis.schema
modulepath /usr/lib/ldap
moduleload back_mdb
pidfile {dir}/slapd.pid
database mdb
maxsize 10485760
suffix "{suffix}"
rootdn "{rootdn}"
rootpw {rootpw}
directory {dir}/db
access to attrs=userPassword by anonymous auth by self write by * none
access to * by * read
"""


def unavailable(message: str):
    if REQUIRED:
        pytest.fail(message)
    pytest.skip(message)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Directory:
    def __init__(self):
        try:
            import django_auth_ldap  # noqa: F401
            import ldap  # noqa: F401
        except ImportError:
            unavailable("python-ldap / django-auth-ldap are not installed (pip install -r requirements-ldap.txt)")
        if SLAPD is None:
            unavailable("slapd is not installed (apt-get install slapd ldap-utils)")
        self.dir = tempfile.mkdtemp(prefix="qms-slapd-")
        os.makedirs(f"{self.dir}/db")
        Path(f"{self.dir}/slapd.conf").write_text(
            CONF.format(dir=self.dir, suffix=SUFFIX, rootdn=ROOT_DN, rootpw=ROOT_PW))
        self.port = _free_port()
        self.uri = f"ldap://127.0.0.1:{self.port}"
        self.proc = subprocess.Popen(  # noqa: S603 - our own test server
            [SLAPD, "-f", f"{self.dir}/slapd.conf", "-h", f"{self.uri}/", "-d", "0"],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        self._wait()
        self._load()

    def _wait(self):
        import ldap

        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                err = self.proc.stderr.read().decode(errors="replace")[-2000:]
                unavailable(f"slapd did not start: {err}")
            try:
                conn = ldap.initialize(self.uri)
                conn.simple_bind_s(ROOT_DN, ROOT_PW)
                conn.unbind_s()
                return
            except ldap.SERVER_DOWN:
                time.sleep(0.2)
        self.stop()
        unavailable("slapd did not answer within 15 s")

    def _load(self):
        import ldap
        import ldap.modlist

        conn = ldap.initialize(self.uri)
        conn.simple_bind_s(ROOT_DN, ROOT_PW)

        def add(dn, **attrs):
            conn.add_s(dn, ldap.modlist.addModlist(
                {k: [v.encode() for v in (vals if isinstance(vals, list) else [vals])] for k, vals in attrs.items()}))

        add(SUFFIX, objectClass=["dcObject", "organization"], dc="example", o="Example")
        add(PEOPLE, objectClass="organizationalUnit", ou="people")
        add(GROUPS, objectClass="organizationalUnit", ou="groups")
        people = {"alice": "Alice Quality", "bob": "Bob Approver", "carol": "Carol Gone", "dave": "Dave Staff"}
        for uid, name in people.items():
            first, last = name.split()
            add(f"uid={uid},{PEOPLE}", objectClass="inetOrgPerson", uid=uid, cn=name, givenName=first, sn=last,
                mail=f"{uid}@example.com", userPassword=USER_PASSWORD)
        members = {"qms-quality": ["alice"], "qms-approvers": ["bob", "alice"], "qms-staff": ["dave", "bob", "carol"],
                   "qms-disabled": ["carol"]}
        for cn, uids in members.items():
            add(f"cn={cn},{GROUPS}", objectClass="groupOfNames", cn=cn,
                member=[f"uid={u},{PEOPLE}" for u in uids])
        conn.unbind_s()

    def modify_members(self, group: str, uids: list[str]):
        import ldap

        conn = ldap.initialize(self.uri)
        conn.simple_bind_s(ROOT_DN, ROOT_PW)
        conn.modify_s(f"cn={group},{GROUPS}",
                      [(ldap.MOD_REPLACE, "member", [f"uid={u},{PEOPLE}".encode() for u in uids])])
        conn.unbind_s()

    def settings(self) -> dict:
        """The environment a deployment would set (qms.settings reads these names)."""
        return {
            "LDAP_SERVER_URI": self.uri,
            "LDAP_BIND_DN": ROOT_DN,
            "LDAP_BIND_PASSWORD": ROOT_PW,
            "LDAP_USER_SEARCH_BASE": PEOPLE,
            "LDAP_USER_FILTER": "(uid=%(user)s)",
            "LDAP_GROUP_SEARCH_BASE": GROUPS,
            "LDAP_GROUP_TYPE": "groupOfNames",
            "LDAP_DENY_GROUP": f"cn=qms-disabled,{GROUPS}",
            "LDAP_ROLE_MAP": (f"cn=qms-quality,{GROUPS}|Quality Manager;cn=qms-approvers,{GROUPS}|Approver;"
                              f"cn=qms-staff,{GROUPS}|Staff"),
        }

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        shutil.rmtree(self.dir, ignore_errors=True)
