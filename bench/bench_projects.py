"""Project pages at 10,000 projects and 200,000 events (issue #6), in-process.

    python bench/bench_projects.py [--backend sqlite|postgres] [--projects 10000]
                                   [--events 200000] [--requests 100] [--rebuild]

The data is generated once per backend and size and kept (SQLite file under /tmp, or the
PostgreSQL database `biaozhun_bench_projects`); later runs reuse it. Generation writes rows in
bulk with explicit ids: organisations of a provincial platform (the province, 13 cities),
departments, drafting organisations, committees and experts; projects spread over 2019–2026
in a realistic mix of stages (a third published and filed, the rest at every stage, rejected
or terminated), each with the event chain the services would have written (valid SHA-256
links from `ProjectEvent.compute_hash()`), its deadlines (met, open and overdue), documents,
jurisdictions (5 % joint), review panels and votes, and numbers continuing per issuer.

Measured with Django's test client (median and p95 over `--requests` requests each, plus the
queries per request): the list page with filters, page 1 and a deep page; the dashboard and
"my work" as an administrator of 长沙市; the API list. Also `verify_audit` over every event.
Target (issue #6): p95 ≤ 50 ms per page.
"""

import argparse
import gc
import random
import statistics
import sys
import time
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta

from _django import machine, postgres_url, setup

NOW = datetime(2026, 11, 24, 8, 0, tzinfo=UTC)
TODAY = date(2026, 11, 24)

# Target stage of each project, as shares of the total (sums to 1).
STAGE_MIX = {
    "filed": 0.30, "published": 0.05, "approved": 0.01, "submitted": 0.02,
    "technical_review": 0.03, "comment_resolution": 0.04, "public_comment": 0.03,
    "extended": 0.015, "drafting": 0.15, "planned": 0.05, "evaluated": 0.03,
    "proposed": 0.08, "rejected": 0.12, "terminated": 0.075,
}
MAIN = ["proposed", "evaluated", "planned", "drafting", "public_comment", "comment_resolution",
        "technical_review", "submitted", "approved", "published", "filed"]
# Days a project spends in each stage before the next move (low, high).
STAY = {"proposed": (10, 40), "evaluated": (10, 60), "planned": (5, 30),
        "drafting": (90, 330), "extended": (30, 120), "public_comment": (30, 45),
        "comment_resolution": (20, 90), "technical_review": (10, 40), "submitted": (10, 40),
        "approved": (5, 20), "published": (10, 60)}
# How long ago an open project entered its current stage (days, low, high).
CURRENT_SINCE = {"drafting": (0, 540), "extended": (0, 200), "planned": (0, 60)}

CITIES = [("湖南省市场监督管理局", "430000"), ("长沙市市场监督管理局", "430100"),
          ("株洲市市场监督管理局", "430200"), ("湘潭市市场监督管理局", "430300"),
          ("衡阳市市场监督管理局", "430400"), ("邵阳市市场监督管理局", "430500"),
          ("岳阳市市场监督管理局", "430600"), ("常德市市场监督管理局", "430700"),
          ("张家界市市场监督管理局", "430800"), ("益阳市市场监督管理局", "430900"),
          ("郴州市市场监督管理局", "431000"), ("永州市市场监督管理局", "431100"),
          ("怀化市市场监督管理局", "431200"), ("娄底市市场监督管理局", "431300")]
# Who leads: the province half the time, 长沙 a fifth, the other cities the rest.
LEAD_WEIGHTS = [50, 20] + [30 / 12] * 12

SUBJECTS = ["湘菜", "辣椒炒肉", "米粉", "臭豆腐", "茶油", "黑茶", "湘绣", "烟花爆竹", "油茶林",
            "稻虾共作", "生猪屠宰", "冷链物流", "智慧停车", "电动汽车充电桩", "工程机械",
            "轨道交通", "养老机构", "家政服务", "社区食堂", "政务服务", "数据资源", "河湖长制",
            "农村供水", "土壤修复", "装配式建筑", "海绵城市", "中药材", "柑橘", "莲子", "竹木制品"]
ASPECTS = ["技术规范", "服务规范", "管理规范", "评价指南", "操作规程", "质量要求", "建设规范",
           "检测方法", "术语", "分级与评定", "安全要求", "运行维护规范"]


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


@contextmanager
def explicit_timestamps(*models):
    """Let bulk_create keep the timestamps we give (auto_now / auto_now_add switched off)."""
    saved = []
    for model in models:
        for f in model._meta.concrete_fields:
            if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
                saved.append((f, f.auto_now, f.auto_now_add))
                f.auto_now = f.auto_now_add = False
    try:
        yield
    finally:
        for f, now, add in saved:
            f.auto_now, f.auto_now_add = now, add


# --- generation ------------------------------------------------------------------------------


class Generator:
    """Writes the benchmark data in two passes over the projects: the first draws each
    project's history and counts its events, the second draws the same history again (one
    seeded random generator per project), adds notes and document versions up to the event
    total, chains the hashes and writes in bulk."""

    def __init__(self, projects: int, events: int, seed: int = 6):
        self.n_projects, self.n_events, self.seed = projects, events, seed
        self.rng = random.Random(seed)
        self.doc_pk = 0

    def run(self) -> None:
        from django.db import transaction

        started = time.perf_counter()
        with transaction.atomic():
            self._people()
            self._projects()
        print(f"generated {self.n_projects:,} projects, {self.n_events:,} events in "
              f"{time.perf_counter() - started:.0f} s", flush=True)

    # People and organisations -----------------------------------------------------------------
    def _people(self) -> None:
        from django.contrib.auth.models import Group

        from biaozhun.accounts import roles
        from biaozhun.accounts.models import Membership, Organization, User

        kind = Organization.Kind
        self.administrations = [Organization.objects.create(
            name=name, kind=kind.ADMINISTRATION, region_code=region) for name, region in CITIES]
        self.departments = [Organization.objects.create(name=f"{city[:-7]}{d}局",
                                                        kind=kind.DEPARTMENT)
                            for city, _ in CITIES[:4]
                            for d in ("工业和信息化", "农业农村", "商务", "住房和城乡建设",
                                      "交通运输", "民政", "卫生健康", "生态环境")]
        self.drafting = [Organization.objects.create(name=f"起草单位{i:03d}", kind=kind.DRAFTING)
                         for i in range(200)]
        self.committees = [Organization.objects.create(name=f"湖南省标准化技术委员会{i:02d}",
                                                       kind=kind.COMMITTEE) for i in range(20)]
        admin_group, _ = Group.objects.get_or_create(name=roles.ADMINISTRATOR)
        users = [User(username=f"expert{i:03d}", display_name=f"专家{i:03d}",
                      email=f"expert{i:03d}@example.com") for i in range(200)]
        users += [User(username=f"drafter{i:03d}", display_name=f"起草人{i:03d}",
                       email=f"drafter{i:03d}@example.com") for i in range(200)]
        users += [User(username=f"admin{i:02d}", display_name=f"管理员{i:02d}",
                       email=f"admin{i:02d}@example.com") for i in range(len(CITIES))]
        for u in users:
            u.set_unusable_password()
        User.objects.bulk_create(users)
        users = {u.username: u for u in User.objects.all()}
        self.experts = [users[f"expert{i:03d}"] for i in range(200)]
        self.admins = [users[f"admin{i:02d}"] for i in range(len(CITIES))]
        self.drafter_of = {o.pk: users[f"drafter{i:03d}"] for i, o in enumerate(self.drafting)}
        memberships = [Membership(user=self.experts[i], organization=self.committees[i % 20])
                       for i in range(200)]
        memberships += [Membership(user=self.drafter_of[o.pk], organization=o)
                        for o in self.drafting]
        memberships += [Membership(user=a, organization=o)
                        for a, o in zip(self.admins, self.administrations, strict=True)]
        Membership.objects.bulk_create(memberships)
        admin_group.user_set.add(*self.admins)
        self.committee_experts = {c.pk: [e for i, e in enumerate(self.experts) if i % 20 == k]
                                  for k, c in enumerate(self.committees)}

    # Projects --------------------------------------------------------------------------------
    def _stages(self) -> list[str]:
        names = list(STAGE_MIX)
        counts = [round(STAGE_MIX[s] * self.n_projects) for s in names]
        counts[0] += self.n_projects - sum(counts)
        stages = [s for s, c in zip(names, counts, strict=True) for _ in range(c)]
        self.rng.shuffle(stages)
        return stages

    def _projects(self) -> None:
        from biaozhun.projects.models import NumberSequence

        stages = self._stages()
        # Pass 1: each project's natural history, for the event count and the numbering.
        drawn = [self._project(pk, target, dry=True)
                 for pk, target in enumerate(stages, start=1)]
        natural = sum(d["events"] for d in drawn)
        extra = self.n_events - natural
        if extra < 0:
            raise SystemExit(f"the stage mix gives {natural:,} events, more than "
                             f"--events {self.n_events:,}: raise --events")
        print(f"{natural:,} events from the histories, {extra:,} notes and further document "
              f"versions spread over them", flush=True)
        extras = [0] * len(stages)
        for _ in range(extra):
            extras[self.rng.randrange(len(stages))] += 1
        # Numbers continue per issuer in the order of approval.
        self.numbers: dict[int, int] = {}
        last: dict[str, int] = {}
        for d in sorted((d for d in drawn if d["approved_at"]), key=lambda d: d["approved_at"]):
            last[d["issuer"]] = last.get(d["issuer"], 0) + 1
            self.numbers[d["pk"]] = last[d["issuer"]]
        # Pass 2: the same histories, padded, hashed and written.
        self._new_buffers()
        written = 0
        for pk, target in enumerate(stages, start=1):
            written += self._project(pk, target, extra=extras[pk - 1])
            if len(self.buffers["events"]) >= 20000:
                self._flush()
        self._flush()
        NumberSequence.objects.bulk_create([NumberSequence(issuer=i, last_sequence=n)
                                            for i, n in sorted(last.items())])
        assert written == self.n_events, (written, self.n_events)

    def _path(self, rng, target: str) -> list[str]:
        if target == "rejected":
            return ["proposed", *(["evaluated"] if rng.random() < 0.4 else []), "rejected"]
        if target == "terminated":
            stop = rng.choices(["planned", "drafting", "public_comment", "comment_resolution",
                                "technical_review", "submitted"], [10, 50, 10, 15, 10, 5])[0]
            return [*MAIN[:MAIN.index(stop) + 1], "terminated"]
        if target == "extended":
            return [*MAIN[:MAIN.index("drafting") + 1], "extended"]
        path = MAIN[:MAIN.index(target) + 1]
        if "submitted" in path and rng.random() < 0.12:
            # A review that did not pass: back to comment resolution, then reviewed again.
            i = path.index("technical_review")
            path = [*path[:i + 1], "comment_resolution", "technical_review", *path[i + 1:]]
        if "public_comment" in path and rng.random() < 0.15:
            i = path.index("drafting")
            path = [*path[:i + 1], "extended", *path[i + 1:]]
        return path

    def _times(self, rng, target: str, path: list[str]) -> list[datetime]:
        """When each stage of `path` was entered, counted back from the current one."""
        stays = [rng.randint(*STAY.get(s, (10, 40))) for s in path[:-1]]
        if target in ("filed", "rejected", "terminated"):
            room = 7 * 365 - sum(stays) - 30
            since = rng.randint(0, room) if room > 0 else 0
        else:
            since = rng.randint(*CURRENT_SINCE.get(target, (0, 45)))
        times = [NOW - timedelta(days=since, minutes=rng.randint(0, 600))]
        for stay in reversed(stays):
            times.insert(0, times[0] - timedelta(days=stay, minutes=rng.randint(0, 600)))
        return times

    def _new_buffers(self) -> None:
        self.buffers = {name: [] for name in ("projects", "events", "deadlines", "documents",
                                              "jurisdictions", "votes", "extensions",
                                              "drafting", "reviewers")}

    def _project(self, pk: int, target: str, *, dry: bool = False, extra: int = 0):
        from biaozhun.projects.models import (
            Deadline,
            ExtensionRequest,
            Jurisdiction,
            Project,
            ProjectDocument,
            ProjectEvent,
            ReviewVote,
        )

        rng = random.Random(self.seed * 1_000_003 + pk)
        path = self._path(rng, target)
        times = self._times(rng, target, path)
        lead_index = rng.choices(range(len(CITIES)), LEAD_WEIGHTS)[0]
        lead = self.administrations[lead_index]
        partner = None
        if rng.random() < 0.05:
            partner = self.administrations[rng.choice([i for i in range(1, len(CITIES))
                                                       if i != lead_index])]
        department = rng.choice(self.departments)
        drafting = rng.sample(self.drafting, rng.choice([1, 1, 1, 2]))
        drafter = self.drafter_of[drafting[0].pk]
        committee = rng.choice(self.committees)
        panel = rng.sample(self.committee_experts[committee.pk], 5)
        title = f"{rng.choice(SUBJECTS)} {rng.choice(SUBJECTS)}{rng.choice(ASPECTS)}"
        admin = self.admins[lead_index]
        issuer = f"DB{lead.local_issuer_code}/T"
        events: list[ProjectEvent] = []
        documents: list[ProjectDocument] = []
        deadlines: list[Deadline] = []
        votes: list[ReviewVote] = []
        extensions: list[ExtensionRequest] = []
        versions: dict[str, int] = {}

        def event(at, kind, *, actor=None, label="", from_stage="", to_stage="", note="",
                  payload=None):
            events.append(ProjectEvent(
                project_id=pk, kind=kind, actor_id=actor.pk if actor else None,
                actor_label=label or (str(actor) if actor else "系统"), at=at,
                from_stage=from_stage, to_stage=to_stage, note=note, payload=payload or {}))

        def upload(at, kind, who):
            versions[kind] = versions.get(kind, 0) + 1
            v = versions[kind]
            if not dry:
                self.doc_pk += 1
            doc = self.doc_pk
            documents.append(ProjectDocument(
                pk=doc, project_id=pk, kind=kind, version=v,
                file=f"projects/{pk}/{kind}-v{v}-{doc:012x}.pdf", original_name=f"{kind}.pdf",
                extension="pdf", size=rng.randint(40_000, 4_000_000), sha256=f"{doc:064x}",
                uploaded_by_id=who.pk, uploaded_at=at))
            event(at, "document_uploaded", actor=who, payload={
                "document": doc, "kind": kind, "version": v, "sha256": f"{doc:064x}",
                "name": f"{kind}.pdf", "size": documents[-1].size})

        def deadline(at, kind, due, responsible, basis):
            d = Deadline(project_id=pk, kind=kind, due_on=due, provisional=due.year > 2026,
                         basis=basis, responsible_id=responsible.pk, created_at=at)
            deadlines.append(d)
            event(at, "deadline_set", actor=None if kind == "evaluation" else admin, payload={
                "deadline": kind, "due_on": due.isoformat(), "provisional": d.provisional,
                "basis": basis})
            return d

        def meet(kind, at):
            for d in deadlines:
                if d.kind == kind and d.met_at is None:
                    d.met_at = at

        def later(at, minutes):
            return at + timedelta(minutes=minutes)

        proposer = self.drafter_of[self.drafting[rng.randrange(200)].pk]
        event(times[0], "proposed", actor=proposer, to_stage="proposed", payload={
            "title": title, "administration": lead.pk,
            "partners": [partner.pk] if partner else [], "novelty": rng.randint(0, 5)})
        upload(later(times[0], 1), "proposal_form", proposer)
        deadline(later(times[0], 2), "evaluation", (times[0] + timedelta(days=28)).date(), lead,
                 "20 个工作日")
        approved_at = None
        sequence = self.numbers.get(pk) if not dry else None
        code = ""
        plan_year = issued_on = effective_on = filed_on = None
        comment = (None, None)
        previous, review_seen, round_ = "proposed", False, 1
        for step, at in zip(path[1:], times[1:], strict=True):
            # What happens before the move ...
            if step == "evaluated":
                event(later(at, -1), "evaluated", actor=admin, note="同意立项",
                      payload={"accept": True, "novelty": []})
                meet("evaluation", at)
            elif step == "planned":
                plan_year = at.year
            elif step == "rejected":
                meet("evaluation", at)
            elif step == "comment_resolution" and previous == "public_comment":
                meet("comment_period", at)
            elif step == "extended":
                asked = at - timedelta(days=3)
                event(asked, "extension_requested", actor=drafter, note="试验周期长",
                      payload={"from": "", "to": ""})
                event(later(asked, 60), "extension_granted", actor=admin)
                current = next(d for d in deadlines if d.kind == "drafting")
                extensions.append(ExtensionRequest(
                    project_id=pk, requested_by_id=drafter.pk, requested_at=asked,
                    current_due_on=current.due_on,
                    requested_due_on=current.due_on + timedelta(days=180), reason="试验周期长",
                    state="granted", decided_by_id=admin.pk, decided_at=later(asked, 60)))
                current.due_on += timedelta(days=180)
            elif step == "public_comment":
                upload(at - timedelta(hours=2), "comment_draft", drafter)
                upload(at - timedelta(hours=1), "explanation", drafter)
                comment = (at.date(), at.date() + timedelta(days=30))
            elif step == "technical_review":
                upload(at - timedelta(hours=3), "review_draft", drafter)
                upload(at - timedelta(hours=2), "disposition_table", drafter)
                if not review_seen:
                    event(at - timedelta(hours=1), "participants_changed", actor=admin,
                          payload={"reviewers": sorted(u.pk for u in panel)})
                review_seen = True
            elif step == "submitted":
                for i, expert in enumerate(panel):
                    voted = at - timedelta(days=2) + timedelta(minutes=i)
                    choice = "approve" if i < 4 else rng.choice(["approve", "abstain"])
                    votes.append(ReviewVote(project_id=pk, round=round_, voter_id=expert.pk,
                                            choice=choice, cast_at=voted))
                    event(voted, "vote_cast", actor=expert,
                          payload={"round": round_, "choice": choice})
                upload(at - timedelta(hours=3), "approval_draft", drafter)
                upload(at - timedelta(hours=2), "approval_form", drafter)
                upload(at - timedelta(hours=1), "review_minutes", admin)
            elif step == "approved":
                event(later(at, -2), "jurisdiction_approved", actor=admin,
                      payload={"administration": lead.pk})
                approved_at = at
                meet("approval", at)
            elif step == "published":
                issued_on, effective_on = at.date(), at.date() + timedelta(days=90)
                code = f"{issuer} {sequence}-{issued_on.year}"
            elif step == "filed":
                filed_on = at.date()
                meet("filing", at)
            elif step == "terminated":
                for d in deadlines:
                    if d.met_at is None:
                        d.met_at = at
            if step == "comment_resolution" and previous == "technical_review":
                round_ += 1
            # ... the move ...
            event(at, "stage_changed", actor=None if step == "comment_resolution" else admin,
                  from_stage=previous, to_stage=step,
                  note={"rejected": "与现行标准重复", "terminated": "起草单位撤回"}.get(step, ""),
                  payload={"plan_year": plan_year} if step == "planned" else {})
            # ... and after it.
            if step == "planned":
                deadline(later(at, 1), "drafting", _add_months(at.date(), 12), drafting[0],
                         "12 个月")
            elif step == "public_comment":
                meet("drafting", at)
                deadline(later(at, 1), "comment_period", comment[1], drafting[0], "指定日期")
            elif step == "submitted":
                deadline(later(at, 1), "approval", (at + timedelta(days=28)).date(), lead,
                         "20 个工作日")
            elif step == "approved":
                event(later(at, 1), "number_allocated", actor=admin, payload={
                    "issuer": issuer, "sequence": sequence, "administration": lead.pk})
            elif step == "published":
                event(later(at, 1), "published", actor=admin, payload={"code": code})
                deadline(later(at, 2), "filing", issued_on + timedelta(days=60), lead, "60 日")
                public = deadline(later(at, 3), "public_text", issued_on + timedelta(days=28),
                                  lead, "20 个工作日")
                if rng.random() < 0.9:
                    public.met_at = at + timedelta(days=rng.randint(3, 27))
            previous = step
        stage_entered = times[-1]
        # Deadlines of the current stage that passed: marked once by the daily run.
        for d in deadlines:
            if d.met_at is None and d.due_on < TODAY:
                d.overdue_since = d.due_on + timedelta(days=1)
                event(datetime.combine(d.overdue_since, datetime.min.time(), tzinfo=UTC)
                      + timedelta(hours=1), "deadline_missed",
                      payload={"deadline": d.kind, "due_on": d.due_on.isoformat()})
        natural = len(events)
        if dry:
            return {"pk": pk, "events": natural, "issuer": issuer, "approved_at": approved_at}

        # Notes and further document versions during the project's life.
        end = max(e.at for e in events)
        if target not in ("filed", "rejected", "terminated"):
            end = NOW
        span = (end - times[0]).total_seconds()
        notes = ["补充材料", "更正笔误", "召开起草组会议", "调整起草组成员", "专家咨询意见"]
        for _ in range(extra):
            at = times[0] + timedelta(seconds=rng.uniform(60, max(span, 120)))
            if rng.random() < 0.3 and target not in ("rejected", "proposed"):
                upload(at, "other", drafter)
            else:
                event(at, "note_added", actor=admin, note=rng.choice(notes))
        # The chain, in time order.
        events.sort(key=lambda e: e.at)
        prev = ""
        for seq, e in enumerate(events, start=1):
            e.seq, e.prev_hash = seq, prev
            e.hash = prev = e.compute_hash()
        for e in extensions:
            e._drafting = next(d for d in deadlines if d.kind == "drafting")
        b = self.buffers
        b["projects"].append(Project(
            pk=pk, reference=f"{times[0].year}-{pk:05d}", title=title,
            scope="规定了……的要求。", kind="new", nature="recommended", stage=target,
            stage_code=_code(target), stage_entered_at=stage_entered, administration_id=lead.pk,
            proposer_id=proposer.pk, proposing_unit_id=department.pk,
            competent_department_id=department.pk, committee_id=committee.pk,
            plan_year=plan_year, comment_opens_on=comment[0], comment_closes_on=comment[1],
            review_round=round_, sequence=sequence, issuer=issuer if sequence else "",
            code=code, issued_on=issued_on, effective_on=effective_on, filed_on=filed_on,
            novelty=[], event_count=len(events), created_at=times[0],
            updated_at=events[-1].at))
        b["events"].extend(events)
        b["deadlines"].extend(deadlines)
        b["documents"].extend(documents)
        b["votes"].extend(votes)
        b["extensions"].extend(extensions)
        b["jurisdictions"].append(Jurisdiction(
            project_id=pk, administration_id=lead.pk, is_lead=True, approved_at=approved_at,
            approved_by_id=admin.pk if approved_at else None, sequence=sequence, code=code))
        if partner is not None:
            b["jurisdictions"].append(Jurisdiction(
                project_id=pk, administration_id=partner.pk, approved_at=approved_at,
                approved_by_id=self.admins[self.administrations.index(partner)].pk
                if approved_at else None, code=code))
        b["drafting"] += [(pk, o.pk) for o in drafting]
        if review_seen:
            b["reviewers"] += [(pk, u.pk) for u in panel]
        return len(events)

    def _flush(self) -> None:
        from biaozhun.projects.models import (
            Deadline,
            ExtensionRequest,
            Jurisdiction,
            Project,
            ProjectDocument,
            ProjectEvent,
            ReviewVote,
        )

        b = self.buffers
        with explicit_timestamps(Project, ProjectEvent, Deadline, ProjectDocument,
                                 ReviewVote, ExtensionRequest):
            Project.objects.bulk_create(b["projects"], batch_size=1000)
            ProjectEvent.objects.bulk_create(b["events"], batch_size=2000)
            Deadline.objects.bulk_create(b["deadlines"], batch_size=2000)
            for e in b["extensions"]:
                e.deadline_id = e._drafting.pk  # known once the deadlines are written
            ExtensionRequest.objects.bulk_create(b["extensions"], batch_size=2000)
            ProjectDocument.objects.bulk_create(b["documents"], batch_size=2000)
            Jurisdiction.objects.bulk_create(b["jurisdictions"], batch_size=2000)
            ReviewVote.objects.bulk_create(b["votes"], batch_size=2000)
        Through = Project.drafting_orgs.through
        Through.objects.bulk_create([Through(project_id=p, organization_id=o)
                                     for p, o in b["drafting"]], batch_size=5000)
        Through = Project.reviewers.through
        Through.objects.bulk_create([Through(project_id=p, user_id=u)
                                     for p, u in b["reviewers"]], batch_size=5000)
        self._new_buffers()


def _add_months(day: date, months: int) -> date:
    import calendar

    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    return date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def _code(stage: str) -> str:
    from biaozhun.projects.stages import STAGE_CODES

    return STAGE_CODES[stage]


# --- measurement ------------------------------------------------------------------------------


def measure(client, path: str, requests: int) -> tuple[list[float], int, int]:
    """(times in ms, queries of one request, response size) for `requests` GETs of `path`."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(5):
        client.get(path)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    queries = len(captured)  # read now: the next request clears the log
    if response.status_code != 200:
        raise SystemExit(f"{path} answered {response.status_code}")
    # As config/wsgi.py does in a server process: what is loaded stays out of full GCs.
    gc.collect()
    gc.freeze()
    times = []
    for _ in range(requests):
        started = time.perf_counter()
        client.get(path)
        times.append((time.perf_counter() - started) * 1000)
    return times, queries, len(response.content)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--backend", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--projects", type=int, default=10_000)
    parser.add_argument("--events", type=int, default=200_000)
    parser.add_argument("--requests", type=int, default=100)
    parser.add_argument("--rebuild", action="store_true", help="drop the data and generate anew")
    parser.add_argument("--prepare-only", action="store_true")
    parser.add_argument("--explain", action="store_true",
                        help="print the slowest queries of each page with their plans")
    args = parser.parse_args()
    suffix = "" if (args.projects, args.events) == (10_000, 200_000) else \
        f"_{args.projects}_{args.events}"
    if args.backend == "sqlite":
        from pathlib import Path

        path = Path(f"/tmp/biaozhun-bench-projects{suffix}.sqlite3")
        if args.rebuild:
            for p in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
                p.unlink(missing_ok=True)
        url = f"sqlite:///{path}"
    else:
        name = f"biaozhun_bench_projects{suffix}"
        if args.rebuild:
            _drop_postgres(name)
        url = postgres_url(name)
        if url is None:
            return 0
    setup(url)
    from django.core.management import call_command
    from django.db import connection

    from biaozhun.projects.models import Project, ProjectEvent

    call_command("migrate", verbosity=0)
    have = Project.objects.count()
    if have == 0:
        Generator(args.projects, args.events).run()
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    elif have != args.projects or ProjectEvent.objects.count() != args.events:
        raise SystemExit(f"the database holds {have:,} projects, not {args.projects:,}: "
                         f"run with --rebuild")
    if args.prepare_only:
        return 0
    return report(args)


def _drop_postgres(name: str) -> None:
    import os

    import psycopg

    base = os.environ.get("BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432")
    try:
        with psycopg.connect(base + "/postgres", autocommit=True, connect_timeout=3) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
    except psycopg.OperationalError:
        pass


def report(args) -> int:
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from biaozhun.accounts.models import Organization, User
    from biaozhun.projects.models import Deadline, Project, ProjectEvent

    changsha = Organization.objects.get(region_code="430100")
    admin = User.objects.get(username="admin01")
    anonymous, signed_in = Client(), Client()
    signed_in.force_login(admin)
    pages = [
        ("list", anonymous, "/projects/"),
        ("list, stage", anonymous, "/projects/?stage=drafting"),
        ("list, overdue", anonymous, "/projects/?overdue=on"),
        ("list, stage + overdue", anonymous, "/projects/?stage=drafting&overdue=on"),
        ("list, administration + year", anonymous,
         f"/projects/?administration={changsha.pk}&year=2024"),
        ("list, title search", anonymous, "/projects/?q=米粉"),
        ("list, deep page", anonymous, f"/projects/?page={args.projects // 25 - 5}"),
        ("list, mine (admin)", signed_in, "/projects/?mine=on"),
        ("dashboard (admin)", signed_in, "/projects/dashboard/"),
        ("my work (admin)", signed_in, "/projects/my-work/"),
        ("API list", anonymous, "/api/v1/projects"),
        ("API, stage", anonymous, "/api/v1/projects?stage=technical_review"),
        ("API, overdue", anonymous, "/api/v1/projects?overdue=true"),
        ("API, deep offset", anonymous, f"/api/v1/projects?offset={args.projects - 100}"),
    ]
    print(f"# bench_projects · {connection.vendor} · {Project.objects.count():,} projects · "
          f"{ProjectEvent.objects.count():,} events · "
          f"{Deadline.objects.count():,} deadlines "
          f"({Deadline.objects.filter(met_at__isnull=True, overdue_since__isnull=False).count():,}"
          f" overdue) · {args.requests} requests each")
    print(machine())
    print(f"{'page':32s} {'p50':>8s} {'p95':>8s} {'max':>8s} {'queries':>8s} {'KiB':>6s}")
    slow = []
    for label, client, path in pages:
        times, queries, size = measure(client, path, args.requests)
        p95 = percentile(times, 0.95)
        print(f"{label:32s} {statistics.median(times):6.1f}ms {p95:6.1f}ms {max(times):6.1f}ms "
              f"{queries:8d} {size / 1024:6.0f}   {path}", flush=True)
        if p95 > 50:
            slow.append((label, client, path))
    if args.explain:
        for label, client, path in slow or pages:
            explain(label, client, path)
    started = time.perf_counter()
    from io import StringIO

    out = StringIO()
    call_command("verify_audit", stdout=out)
    print(f"verify_audit: {time.perf_counter() - started:.1f} s — {out.getvalue().strip()}")
    return 0


def explain(label: str, client, path: str) -> None:
    """The five slowest queries of one request of `path`, with their plans."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        client.get(path)
    queries = list(captured.captured_queries)
    rows = sorted(queries, key=lambda q: -float(q["time"]))[:5]
    total = sum(float(q["time"]) for q in queries)
    print(f"\n## {label} ({path}): {len(queries)} queries, "
          f"{total * 1000:.1f} ms in the database")
    for q in rows:
        print(f"- {float(q['time']) * 1000:.1f} ms: {q['sql'][:400]}")
        if q["sql"].lstrip().upper().startswith("SELECT"):
            prefix = "EXPLAIN QUERY PLAN " if connection.vendor == "sqlite" else "EXPLAIN "
            with connection.cursor() as cursor:
                cursor.execute(prefix + q["sql"])
                for line in cursor.fetchall():
                    print("    ", line[-1] if connection.vendor == "sqlite" else line[0])


if __name__ == "__main__":
    sys.exit(main())
