#!/usr/bin/env python3
"""Deterministic Cedar benchmark workloads, shared by Haven and cedar-wasm.

    python3 bench/cedar_workloads.py OUT_DIR [--requests N]

Writes, for each workload W in {welcoming-city, large}:
  OUT_DIR/W/policies.cedar   the policy set (Cedar text)
  OUT_DIR/W/entities.json    the whole entity store (Cedar entities JSON)
  OUT_DIR/W/requests.jsonl   one request a line, the form of
                             `haven cedar authorize`: principal, action,
                             resource, context
  OUT_DIR/W/slices.jsonl     line i: the entities request i needs (principal,
                             resource and action with all their ancestors),
                             as a JSON array -- what a caller that cannot keep
                             entities resident must send with each request

Workloads:
  welcoming-city  policies/welcoming-city (the real pack) grown to 36
                  policies, over 500 agencies (DHS components ICE, CBP,
                  USCIS, HSI, I&A among them), 60 task forces and 20,000 users.
  large           1,240 policies, most with `principal ==` or `resource ==`
                  scopes (per-user and per-case grants), where indexing
                  decides; requests hit a few of them.

Output depends only on the seed: the same arguments give the same bytes.
Outputs belong in a build folder; never commit them.
"""

import argparse
import json
import os
import random

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PACK = os.path.join(ROOT, "policies", "welcoming-city", "policies.cedar")

N_AGENCIES = 500
N_USERS = 20000
N_TASK_FORCES = 60

DHS_COMPONENTS = ["ICE", "CBP", "USCIS", "HSI", "I&A"]
PURPOSES = ["criminal-investigation", "warrant-service", "missing-person",
            "officer-safety"]
DATASETS = ["persons", "incidents", "vehicles", "plate_reads", "warrants",
            "arrests", "calls_for_service", "gang_db", "juvenile"]
ORDINARY_FIELDS = ["name", "dob", "address", "plate", "case_number", "race",
                   "sex", "height", "weight", "phone", "vehicle_make",
                   "vehicle_model", "arrest_date", "charge", "disposition"]
PROTECTED_FIELDS = ["place_of_birth", "nationality", "gang_designation",
                    "immigration_status", "ssn"]
JUVENILE_FIELDS = ["juvenile_record", "school"]
ACTIONS = ["search", "read-record", "read-field", "bulk-export"]
BENIGN_REASONS = ["burglary follow-up", "armed robbery suspect", "missing child",
                  "homicide investigation", "traffic fatality follow-up",
                  "carjacking pattern", "warrant service, judge signed",
                  "domestic battery", "retail theft ring", "shots fired"]
PROXY_REASONS = ["ICE+ERO request", "assist ERO with lookup",
                 "immigration hold check", "Deportation case ref",
                 "detainer follow-up for agent", "ICE fugitive ops"]


def uid(t, i):
    return {"type": t, "id": i}


def ent(t, i, attrs=None, parents=None):
    return {"uid": uid(t, i), "attrs": attrs or {},
            "parents": [uid(pt, pi) for pt, pi in (parents or [])]}


def ip(s):
    return {"__extn": {"fn": "ip", "arg": s}}


# ---------------------------------------------------------------------------
# The shared entity model (the pack's model, scaled up).

class City:
    def __init__(self, rng):
        self.rng = rng
        self.entities = []
        self.agencies = {}   # id -> dict(kind, department, component, partner)
        self.users = {}      # id -> dict(agency, tfs, network, dhs, ...)
        self.task_forces = {}  # id -> lead agency id
        self._build()

    def _add(self, e):
        self.entities.append(e)

    def _build(self):
        rng = self.rng
        for d in ["DHS", "DOJ", "IL-ISP", "CITY", "COUNTY", "OTHER-STATE"]:
            self._add(ent("Department", d, {"name": d}))
        self._add(ent("Sharing", "criminal-justice-partners"))
        self._add(ent("Sharing", "regional-intel-center"))

        def agency(aid, name, juris, dept, comp, partner, intel=False):
            parents = [("Department", dept)]
            if partner:
                parents.append(("Sharing", "criminal-justice-partners"))
            if intel:
                parents.append(("Sharing", "regional-intel-center"))
            self._add(ent("Agency", aid, {"name": name, "jurisdiction": juris,
                                          "department": dept,
                                          "component": comp}, parents))
            self.agencies[aid] = dict(dept=dept, comp=comp, partner=partner,
                                      juris=juris)

        agency("ILCPD0000", "Chicago Police Department", "local", "CITY", "CPD",
               False, True)
        agency("ILOIG0000", "City of Chicago Office of Inspector General",
               "local", "CITY", "OIG", False)
        # DHS components: five field offices each (25 agencies).
        for comp in DHS_COMPONENTS:
            tag = comp.replace("&", "")
            for k in range(5):
                agency("DC%s%04d" % (tag, k), "%s field office %d" % (comp, k),
                       "federal", "DHS", comp, False)
        # DOJ: FBI, DEA, ATF, USMS field offices (20), partners.
        for comp in ["FBI", "DEA", "ATF", "USMS"]:
            for k in range(5):
                agency("DC%s%04d" % (comp, k), "%s office %d" % (comp, k),
                       "federal", "DOJ", comp, True, k == 0)
        # State police districts (10).
        for k in range(10):
            agency("ILISP%04d" % k, "Illinois State Police district %d" % k,
                   "state", "IL-ISP", "ISP", True, k < 3)
        # Local and county departments: the rest; 85% with an agreement.
        n = len(self.agencies)
        k = 0
        while len(self.agencies) < N_AGENCIES:
            county = k % 9 == 0
            agency("IL%07d" % (16000 + k),
                   ("County sheriff %d" if county else "Police department %d") % k,
                   "local", "COUNTY" if county else "CITY",
                   "SO" if county else "PD", rng.random() < 0.85, k % 25 == 0)
            k += 1
        assert len(self.agencies) == N_AGENCIES, n

        # Task forces, led by an agency (their parent). The first 10 are led
        # by DHS components (banned); the rest by the FBI, DEA, ISP or CPD.
        dhs_agencies = [a for a, v in self.agencies.items() if v["dept"] == "DHS"]
        other_leads = ["DCFBI0000", "DCDEA0000", "DCATF0000", "DCUSMS0000",
                       "ILISP0000", "ILCPD0000"]
        for t in range(N_TASK_FORCES):
            if t == 0:
                tid, lead = "hsi-chicago-gang-tf", "DCHSI0000"
            elif t < 10:
                lead = dhs_agencies[(t * 3) % len(dhs_agencies)]
                tid = "%s-tf-%d" % (self.agencies[lead]["comp"].lower()
                                    .replace("&", ""), t)
            else:
                lead = other_leads[t % len(other_leads)]
                tid = "%s-tf-%d" % (self.agencies[lead]["comp"].lower(), t)
            self._add(ent("TaskForce", tid,
                          {"name": "task force " + tid,
                           "lead": {"__entity": uid("Agency", lead)},
                           "dhs_led": self.agencies[lead]["dept"] == "DHS"},
                          [("Agency", lead)]))
            self.task_forces[tid] = lead
        self.dhs_tfs = [t for t, l in self.task_forces.items()
                        if self.agencies[l]["dept"] == "DHS"]
        self.other_tfs = [t for t in self.task_forces if t not in self.dhs_tfs]

        # Users: CPD 25%, OIG 1%, DHS 3%, the rest spread over partners.
        agency_ids = list(self.agencies)
        locals_ = [a for a in agency_ids if a.startswith("IL") and
                   a not in ("ILCPD0000", "ILOIG0000")]
        fed_doj = [a for a in agency_ids if self.agencies[a]["dept"] == "DOJ"]
        for u in range(N_USERS):
            r = rng.random()
            if r < 0.25:
                a = "ILCPD0000"
            elif r < 0.26:
                a = "ILOIG0000"
            elif r < 0.29:
                a = rng.choice(dhs_agencies)
            elif r < 0.37:
                a = rng.choice(fed_doj)
            else:
                a = rng.choice(locals_)
            info = self.agencies[a]
            parents = [("Agency", a)]
            tfs = []
            if rng.random() < 0.12:
                pool = self.dhs_tfs if rng.random() < 0.2 else self.other_tfs
                tfs.append(rng.choice(pool))
                if rng.random() < 0.2:
                    t2 = rng.choice(self.other_tfs)
                    if t2 not in tfs:
                        tfs.append(t2)
            parents += [("TaskForce", t) for t in tfs]
            attrs = {"clearance": rng.randrange(1, 6),
                     "badge": "B%06d" % u,
                     "roles": ["oversight"] if a == "ILOIG0000" else
                              (["analyst"] if rng.random() < 0.3 else ["officer"]),
                     "task_forces": [{"__entity": uid("TaskForce", t)}
                                     for t in tfs]}
            network = None
            if a != "ILCPD0000" and a != "ILOIG0000" and rng.random() < 0.6:
                network = "198.%d.%d.0/24" % (18 + (len(self.users) % 2),
                                             rng.randrange(256))
                attrs["network"] = ip(network)
            if info["dept"] == "DHS":
                attrs["department"] = "DHS"
                attrs["component"] = info["comp"]
            if rng.random() < 0.01:
                attrs["suspended"] = True
            uid_ = "u%05d" % u
            self._add(ent("User", uid_, attrs, parents))
            self.users[uid_] = dict(agency=a, tfs=tfs, network=network,
                                    dhs=info["dept"] == "DHS",
                                    partner=info["partner"],
                                    suspended=attrs.get("suspended", False))

        # Resources.
        self._add(ent("DatasetClass", "restricted"))
        for d in DATASETS:
            parents = [("DatasetClass", "restricted")] if d in (
                "gang_db", "juvenile") else []
            self._add(ent("Dataset", d, {"retention_days": 365}, parents))
        for c in ["protected", "ordinary", "juvenile-sensitive"]:
            self._add(ent("FieldClass", c))
        for f in ORDINARY_FIELDS:
            self._add(ent("Field", f, {}, [("FieldClass", "ordinary")]))
        for f in PROTECTED_FIELDS:
            self._add(ent("Field", f, {}, [("FieldClass", "protected")]))
        for f in JUVENILE_FIELDS:
            self._add(ent("Field", f, {}, [("FieldClass", "juvenile-sensitive")]))
        for a in ACTIONS:
            self._add(ent("Action", a))


# ---------------------------------------------------------------------------
# Workload 1: welcoming-city.

EXTRA_WC_POLICIES = r'''
// ---------------------------------------------------------------------------
// Benchmark additions in the pack's style (bench/cedar_workloads.py).

@id("ban-ice-field-offices")
forbid (principal in Agency::"DCICE0000", action, resource);
@id("ban-cbp-field-office")
forbid (principal in Agency::"DCCBP0000", action, resource);
@id("ban-uscis-field-office")
forbid (principal in Agency::"DCUSCIS0000", action, resource);
@id("ban-hsi-field-office")
forbid (principal in Agency::"DCHSI0001", action, resource);
@id("ban-ia-field-office")
forbid (principal in Agency::"DCIA0000", action, resource);

@id("dhs-component-attribute")
forbid (principal, action, resource)
when { principal has component &&
       ["ICE", "CBP", "USCIS", "HSI", "I&A"].contains(principal.component) };

@id("dhs-led-task-forces-by-set")
forbid (principal is User, action, resource)
when { principal.task_forces.containsAny([DHS_LED_TASK_FORCES]) };

@id("dhs-led-task-force-2")
forbid (principal in TaskForce::"DHS_TF_1", action, resource);
@id("dhs-led-task-force-3")
forbid (principal in TaskForce::"DHS_TF_2", action, resource);

@id("proxy-flags")
forbid (principal, action, resource)
when { context.flags.containsAny(["proxy-request", "federal-referral", "ero"]) };

@id("suspended-account")
forbid (principal is User, action, resource)
when { principal has suspended && principal.suspended };

@id("case-number-format")
forbid (principal, action in [Action::"search", Action::"read-record"], resource)
unless { principal in Agency::"ILCPD0000" }
when { context has case_number && !(context.case_number like "JC*" ||
       context.case_number like "RD*" || context.case_number like "*-*") };

@id("gang-db-city-only")
forbid (principal, action, resource == Dataset::"gang_db")
unless { principal in Agency::"ILCPD0000" };

@id("juvenile-missing-person-only")
forbid (principal, action, resource in DatasetClass::"restricted")
unless { principal in Agency::"ILCPD0000" || context.purpose == "missing-person" };

@id("juvenile-fields")
forbid (principal, action == Action::"read-field", resource in FieldClass::"juvenile-sensitive")
unless { principal in Agency::"ILCPD0000" && context.purpose == "missing-person" };

@id("bulk-export-city-network")
forbid (principal, action == Action::"bulk-export", resource)
unless { principal in Agency::"ILCPD0000" &&
         context.client_ip.isInRange(ip("10.0.0.0/8")) };

@id("plate-reads-need-investigation")
forbid (principal, action, resource == Dataset::"plate_reads")
unless { principal in Agency::"ILCPD0000" ||
         (context.purpose == "criminal-investigation" && context.case_number != "") };

@id("doj-no-juvenile")
forbid (principal in Department::"DOJ", action, resource == Dataset::"juvenile");

@id("loopback-never")
forbid (principal, action, resource)
when { context.client_ip.isLoopback() };

@id("oversight-audit")
permit (principal in Agency::"ILOIG0000", action in [Action::"search", Action::"read-record"], resource is Dataset)
when { principal.roles.contains("oversight") && context.purpose == "officer-safety" };

@id("intel-center-fields")
permit (principal in Sharing::"regional-intel-center", action == Action::"read-field", resource in FieldClass::"ordinary")
when { principal.clearance >= 3 };

@id("city-network-or-partner-network")
forbid (principal in Agency::"ILCPD0000", action, resource)
unless { context.client_ip.isInRange(ip("10.0.0.0/8")) ||
         context.client_ip.isInRange(ip("172.16.0.0/12")) };
'''


def ctx(purpose, case, reason, flags, client_ip, warrant=None):
    c = {"purpose": purpose, "case_number": case, "reason": reason,
         "flags": flags, "client_ip": ip(client_ip)}
    if warrant:
        c["warrant"] = warrant
    return c


def user_ip(rng, info):
    if info["agency"] == "ILCPD0000" or info["agency"] == "ILOIG0000":
        return "10.%d.%d.%d" % (rng.randrange(256), rng.randrange(256),
                               rng.randrange(1, 255))
    if info["network"]:
        base = info["network"].split("/")[0].rsplit(".", 1)[0]
        if rng.random() < 0.97:
            return "%s.%d" % (base, rng.randrange(1, 255))
    return "203.0.%d.%d" % (rng.randrange(256), rng.randrange(1, 255))


def case_number(rng):
    r = rng.random()
    if r < 0.5:
        return "JC%06d" % rng.randrange(10**6)
    if r < 0.8:
        return "RD%06d" % rng.randrange(10**6)
    return "%s-%d-%05d" % (rng.choice(["ISP", "CCSO", "FBI"]),
                           rng.randrange(2020, 2027), rng.randrange(10**5))


def wc_requests(city, rng, n):
    users = list(city.users)
    by = lambda pred: [u for u in users if pred(city.users[u])]
    cpd = by(lambda i: i["agency"] == "ILCPD0000" and not i["tfs"])
    partners = by(lambda i: i["partner"] and not i["dhs"] and not i["tfs"])
    nonpartners = by(lambda i: not i["partner"] and not i["dhs"] and
                     i["agency"] not in ("ILCPD0000", "ILOIG0000"))
    dhs = by(lambda i: i["dhs"])
    dhs_tf = by(lambda i: any(t in city.dhs_tfs for t in i["tfs"]))
    oig = by(lambda i: i["agency"] == "ILOIG0000")
    common = ["persons", "incidents", "vehicles", "warrants", "arrests",
              "calls_for_service"]
    out = []
    seen = set()
    while len(out) < n:
        r = rng.random()
        flags = []
        reason = rng.choice(BENIGN_REASONS)
        purpose = rng.choice(PURPOSES)
        case = case_number(rng)
        if r < 0.50:    # partner search / read-record
            u = rng.choice(partners)
            act = rng.choice(["search", "search", "read-record"])
            res = ("Dataset", rng.choice(common + ["plate_reads"]))
        elif r < 0.68:  # city search, read, field reads
            u = rng.choice(cpd)
            act = rng.choice(["search", "read-record", "read-field"])
            if act == "read-field":
                res = ("Field", rng.choice(ORDINARY_FIELDS + PROTECTED_FIELDS))
            else:
                res = ("Dataset", rng.choice(DATASETS))
            if rng.random() < 0.3:
                case = ""
        elif r < 0.78:  # partner field reads (protected ones denied)
            u = rng.choice(partners)
            act = "read-field"
            res = ("Field", rng.choice(ORDINARY_FIELDS * 2 + PROTECTED_FIELDS +
                                       JUVENILE_FIELDS))
        elif r < 0.84:  # DHS components
            u = rng.choice(dhs)
            act = rng.choice(["search", "read-record"])
            res = ("Dataset", rng.choice(common + ["plate_reads"]))
            if rng.random() < 0.5:
                purpose = "civil-immigration"
        elif r < 0.89:  # proxy lookups by local officers
            u = rng.choice(partners + cpd)
            act = "search"
            res = ("Dataset", rng.choice(["persons", "plate_reads", "vehicles"]))
            reason = rng.choice(PROXY_REASONS)
            if rng.random() < 0.3:
                flags = ["immigration-terms"]
            elif rng.random() < 0.3:
                flags = ["proxy-request"]
        elif r < 0.92:  # members of DHS-led task forces
            u = rng.choice(dhs_tf)
            act = "search"
            res = ("Dataset", rng.choice(common))
        elif r < 0.95:  # agencies without an agreement
            u = rng.choice(nonpartners)
            act = "search"
            res = ("Dataset", rng.choice(common))
        elif r < 0.97:  # missing or malformed case numbers
            u = rng.choice(partners)
            act = "search"
            res = ("Dataset", rng.choice(common))
            case = rng.choice(["", "12345", "n/a"])
        elif r < 0.985:  # oversight
            u = rng.choice(oig)
            act = "search"
            res = ("Dataset", rng.choice(common))
            purpose = "officer-safety"
        else:           # bulk export and warrants
            u = rng.choice(cpd + partners)
            act = rng.choice(["bulk-export", "read-record"])
            res = ("Dataset", rng.choice(common))
        info = city.users[u]
        warrant = None
        if act == "read-record" and rng.random() < 0.2:
            warrant = {"kind": rng.choice(["judicial"] * 4 + ["administrative",
                                                               "ice-i-247"]),
                       "court": "Cook County Circuit Court",
                       "judge": "Judge %d" % rng.randrange(100),
                       "number": "W%07d" % rng.randrange(10**7)}
            purpose = "warrant-service"
        c = ctx(purpose, case, reason, flags, user_ip(rng, info), warrant)
        req = {"principal": uid("User", u), "action": uid("Action", act),
               "resource": uid(*res), "context": c}
        key = json.dumps(req, sort_keys=True)
        if key in seen:
            continue
        seen.add(key)
        out.append(req)
    return out


# ---------------------------------------------------------------------------
# Workload 2: large, scope-indexed.

N_CASES = 3000


def large_workload(city, rng, n):
    entities = list(city.entities)
    for c in range(N_CASES):
        entities.append(ent("Case", "c%05d" % c,
                            {"sealed": c % 50 == 0, "owner_district": c % 25},
                            [("Dataset", rng.choice(DATASETS[:6]))]))
    users = [u for u, i in city.users.items()
             if not i["dhs"] and not i["suspended"]]
    policies = []
    grants = []  # (user, case) pairs with a grant
    # 700 per-user, per-case grants.
    for k in range(700):
        u = rng.choice(users)
        c = "c%05d" % rng.randrange(N_CASES)
        grants.append((u, c))
        policies.append(
            '@id("grant-%d")\npermit (principal == User::"%s", action in '
            '[Action::"search", Action::"read-record"], resource == Case::"%s")\n'
            'when { ["criminal-investigation", "warrant-service"]'
            '.contains(context.purpose) };\n' % (k, u, c))
    # 300 per-case restrictions.
    restricted = []
    for k in range(300):
        c = "c%05d" % rng.randrange(N_CASES)
        restricted.append(c)
        policies.append(
            '@id("restrict-%d")\nforbid (principal, action, resource == Case::"%s")\n'
            'unless { principal.clearance >= %d || principal in Agency::"ILCPD0000" };\n'
            % (k, c, 2 + k % 4))
    # 200 per-user grants over a dataset (the case's parent).
    user_ds = []
    for k in range(200):
        u = rng.choice(users)
        d = rng.choice(DATASETS[:6])
        user_ds.append((u, d))
        policies.append(
            '@id("user-dataset-%d")\npermit (principal == User::"%s", action == '
            'Action::"search", resource in Dataset::"%s")\n'
            'when { context.case_number like "JC*" };\n' % (k, u, d))
    # 20 per-agency grants and 20 unscoped bans, as a real set would have.
    agencies = [a for a, v in city.agencies.items() if v["partner"]]
    for k in range(20):
        a = agencies[k * 7 % len(agencies)]
        policies.append(
            '@id("agency-%d")\npermit (principal in Agency::"%s", action == '
            'Action::"search", resource is Case)\n'
            'when { context.purpose == "missing-person" };\n' % (k, a))
    bans = [
        'forbid (principal in Department::"DHS", action, resource);',
        'forbid (principal, action, resource) when { context.purpose == "civil-immigration" };',
        'forbid (principal, action, resource) when { context.reason like "*ICE*" || context.reason like "*ERO*" };',
        'forbid (principal, action, resource) when { context.flags.containsAny(["immigration-terms", "proxy-request"]) };',
        'forbid (principal is User, action, resource) when { principal has suspended && principal.suspended };',
        'forbid (principal, action, resource is Case) when { resource.sealed && context.purpose != "warrant-service" };',
        'forbid (principal, action, resource) when { principal has network && !context.client_ip.isInRange(principal.network) };',
    ]
    for k, b in enumerate(bans):
        policies.append('@id("ban-%d")\n%s\n' % (k, b))
    for k in range(len(bans), 20):
        policies.append(
            '@id("ban-%d")\nforbid (principal in TaskForce::"%s", action, '
            'resource);\n' % (k, city.dhs_tfs[k % len(city.dhs_tfs)]))
    text = ("// Large scope-indexed set, generated by bench/cedar_workloads.py.\n"
            + "\n".join(policies))

    reqs = []
    seen = set()
    while len(reqs) < n:
        r = rng.random()
        purpose = rng.choice(["criminal-investigation", "warrant-service"])
        if r < 0.6:
            u, c = rng.choice(grants)
            act, res = rng.choice(["search", "read-record"]), ("Case", c)
        elif r < 0.75:
            u, d = rng.choice(user_ds)
            act, res = "search", ("Case", "c%05d" % rng.randrange(N_CASES))
        elif r < 0.85:
            u = rng.choice(users)
            act, res = "search", ("Case", rng.choice(restricted))
        else:
            u = rng.choice(users)
            act, res = "search", ("Case", "c%05d" % rng.randrange(N_CASES))
            purpose = rng.choice(PURPOSES)
        info = city.users[u]
        c = ctx(purpose, case_number(rng), rng.choice(BENIGN_REASONS), [],
                user_ip(rng, info))
        req = {"principal": uid("User", u), "action": uid("Action", act),
               "resource": uid(*res), "context": c}
        key = json.dumps(req, sort_keys=True)
        if key in seen:
            continue
        seen.add(key)
        reqs.append(req)
    return text, entities, reqs


# ---------------------------------------------------------------------------

def slice_for(index, req):
    """The entities `req` needs: principal, action, resource, and every
    ancestor of each, in a fixed order."""
    out, seen = [], set()

    def visit(u):
        key = (u["type"], u["id"])
        if key in seen or key not in index:
            return
        seen.add(key)
        e = index[key]
        out.append(e)
        for p in e["parents"]:
            visit(p)

    for part in ("principal", "action", "resource"):
        visit(req[part])
    return out


def write(dirname, policies, entities, requests):
    os.makedirs(dirname, exist_ok=True)
    with open(os.path.join(dirname, "policies.cedar"), "w") as f:
        f.write(policies)
    with open(os.path.join(dirname, "entities.json"), "w") as f:
        json.dump(entities, f, separators=(",", ":"))
    index = {(e["uid"]["type"], e["uid"]["id"]): e for e in entities}
    with open(os.path.join(dirname, "requests.jsonl"), "w") as rf, \
            open(os.path.join(dirname, "slices.jsonl"), "w") as sf:
        for r in requests:
            rf.write(json.dumps(r, separators=(",", ":")) + "\n")
            sf.write(json.dumps(slice_for(index, r), separators=(",", ":"))
                     + "\n")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("out")
    ap.add_argument("--requests", type=int, default=10000)
    ap.add_argument("--seed", type=int, default=20190701)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    city = City(rng)
    with open(PACK) as f:
        pack = f.read()
    extra = (EXTRA_WC_POLICIES
             .replace("DHS_LED_TASK_FORCES", ", ".join(
                 'TaskForce::"%s"' % t for t in city.dhs_tfs))
             .replace("DHS_TF_1", city.dhs_tfs[1])
             .replace("DHS_TF_2", city.dhs_tfs[2]))
    wc_policies = pack + extra
    write(os.path.join(args.out, "welcoming-city"), wc_policies,
          city.entities, wc_requests(city, rng, args.requests))
    text, entities, reqs = large_workload(city, rng, args.requests)
    write(os.path.join(args.out, "large"), text, entities, reqs)


if __name__ == "__main__":
    main()
