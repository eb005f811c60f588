// The spacefacts dashboard: a reader of the public JSON API (/v1/*) and of the live change
// stream (/v1/stream), and nothing else. Plain JavaScript, no build step, no dependencies.
//
// Every value is drawn with a button that opens its proof: the claim that covers the value
// (stated, or inferred with its reasoning), each quote verbatim, and whose words they are.
// Text from the API only ever enters the page as text nodes (never as HTML).
"use strict";

(() => {
  const API = "/v1";
  // The largest page the API serves; ?page_size= on the page URL overrides it (the browser test
  // uses a tiny one to prove that every page of a collection is read).
  const PAGE_SIZE = (() => {
    const asked = Number.parseInt(new URLSearchParams(location.search).get("page_size") || "", 10);
    return Number.isInteger(asked) && asked >= 1 && asked <= 200 ? asked : 200;
  })();
  const COLLECTIONS = [
    "programs",
    "agreements",
    "signatories",
    "restrictions",
    "events",
    "agencies",
    "countries",
    "attributions",
    "sources",
  ];
  const DEBOUNCE_MS = 200;
  const root = document.documentElement;

  const LABELS = {
    lunar_surface: "lunar surface",
    lunar_orbit: "lunar orbit",
    signed: "signed",
    intends_to_sign: "intends to sign",
    counterparty: "counterparty",
    memorandum_of_understanding: "memorandum of understanding",
    agreement_signed: "agreement signed",
    restriction_in_force: "restriction in force",
    planned_milestone: "planned milestone",
    space_agency: "space agency",
    government_office: "government office",
  };
  const PLURALS = { country: "countries", agency: "agencies", party: "parties" };
  const STATUS_ORDER = { signed: 0, intends_to_sign: 1, counterparty: 2 };

  const capitalize = (text) => text.charAt(0).toUpperCase() + text.slice(1);
  const label = (value) => LABELS[value] || String(value).replaceAll("_", " ");
  const plural = (kind, n) => (n === 1 ? kind : PLURALS[kind] || `${kind}s`);

  // ---- DOM building (text only) ------------------------------------------------------------

  function h(tag, attrs, ...children) {
    const el = document.createElement(tag);
    for (const [name, value] of Object.entries(attrs || {})) {
      if (value === null || value === undefined || value === false) continue;
      if (name === "class") el.className = value;
      else if (name === "text") el.textContent = value;
      else el.setAttribute(name, value === true ? "" : String(value));
    }
    append(el, children);
    return el;
  }

  function append(el, children) {
    for (const child of children.flat(Infinity)) {
      if (child === null || child === undefined || child === false || child === "") continue;
      el.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return el;
  }

  const anchorId = (type, id) => `${type}-${id}`;

  // ---- Claims and citations ----------------------------------------------------------------

  const rowClaim = (doc) => (doc.claims || []).find((c) => c.claim === "row") || null;

  /** The claim covering `field` of `doc` (or the row's claim, when asked and there is one). */
  function claimFor(doc, field, { row = true } = {}) {
    const claims = doc.claims || [];
    const own =
      claims.find((c) => c.claim !== "row" && (c.fields || []).includes(field)) ||
      claims.find((c) => c.claim === field);
    if (own) return own;
    return row ? rowClaim(doc) : null;
  }

  function citationsOf(doc, claim) {
    const ids = new Set(claim.citations || []);
    const byId = new Map((doc.citations || []).map((c) => [c.id, c]));
    return [...ids].map((id) => byId.get(id)).filter(Boolean);
  }

  // Keys name a value on the page the same way across renders, so that an open popover and the
  // focus survive a re-render; a counter keeps them unique within one render.
  let renderKeys = new Set();
  let popCounter = 0;

  function uniqueKey(key) {
    let k = key;
    for (let n = 2; renderKeys.has(k); n += 1) k = `${key}#${n}`;
    renderKeys.add(k);
    return k;
  }

  /**
   * A value with its proof. `ctx` is "type:id" of the document, `field` the field shown.
   * Options: tag (wrapper element), valueTag (element holding the value), row (fall back to the
   * row's claim), what (a human name for the value, for the button's label).
   */
  function fact(doc, ctx, field, content, opts = {}) {
    const claim = opts.claim || claimFor(doc, field, { row: opts.row !== false });
    const valueEl = h(
      opts.valueTag || "span",
      { class: `v ${opts.valueClass || ""}`.trim() },
      content,
    );
    const wrap = h(opts.tag || "span", { class: `fact ${opts.className || ""}`.trim() }, valueEl);
    if (!claim) return wrap;
    const inferred = claim.basis === "inferred";
    wrap.dataset.basis = claim.basis;
    wrap.dataset.field = field;
    const what = opts.what || label(field);
    const key = uniqueKey(`${ctx}/${claim.claim === "row" ? "row" : field}`);
    popCounter += 1;
    const popId = `pop-${popCounter}`;
    const button = h(
      "button",
      {
        type: "button",
        class: inferred ? "cite cite-inferred" : "cite",
        "aria-expanded": "false",
        "aria-controls": popId,
        "data-key": key,
        "aria-label": `${inferred ? "inferred" : "quote"}: basis and quote for ${what}`,
      },
      inferred
        ? h("span", { class: "badge badge-inferred" }, "inferred")
        : h("span", { class: "q", "aria-hidden": "true" }, "❝"),
    );
    wrap.append(button, popover(doc, claim, popId, what));
    return wrap;
  }

  function popover(doc, claim, popId, what) {
    const quotes = citationsOf(doc, claim);
    const inferred = claim.basis === "inferred";
    const pop = h("div", { class: "pop", id: popId, hidden: true, "data-pop": "" });
    const head = h(
      "div",
      { class: "pop-head" },
      h(
        "span",
        { class: `badge ${inferred ? "badge-inferred" : "badge-stated"}` },
        inferred ? "inferred" : "stated",
      ),
      h(
        "span",
        { class: "pop-title" },
        capitalize(claim.claim === "row" ? `${what}: the entry as a whole` : what),
      ),
      h(
        "button",
        { type: "button", class: "pop-close", "data-close": "", "aria-label": "Close" },
        "×",
      ),
    );
    pop.append(head);
    if (inferred) {
      pop.append(
        h(
          "p",
          { class: "pop-basis" },
          "Not said outright by the source: inferred from the quote",
          quotes.length === 1 ? "" : "s",
          " below.",
        ),
      );
      if (claim.reasoning)
        pop.append(h("p", { class: "reasoning" }, h("strong", {}, "Reasoning: "), claim.reasoning));
      if (claim.convention)
        pop.append(
          h("p", { class: "reasoning" }, h("strong", {}, "Convention: "), claim.convention),
        );
    } else {
      pop.append(
        h(
          "p",
          { class: "pop-basis" },
          quotes.length === 1 ? "The source says it:" : "The source says it, in these words:",
        ),
      );
    }
    if (claim.descriptive) {
      pop.append(
        h(
          "p",
          { class: "pop-basis" },
          "The source gives no name here: the words shown are the curators' description.",
        ),
      );
    }
    for (const quote of quotes) pop.append(quoteFigure(quote, inferred));
    if (quotes.length === 0)
      pop.append(h("p", { class: "pop-basis" }, "No quote is given for this value."));
    return pop;
  }

  function quoteFigure(quote, premise) {
    const attribution = state.attributions.get(quote.attribution);
    const source = state.sources.get(quote.source);
    const who = attribution ? attribution.label : quote.attribution;
    const extra = [];
    if (attribution && attribution.speaker) extra.push(`speaker: ${attribution.speaker.name}`);
    if (attribution && attribution.reported_by)
      extra.push(`reported by ${attribution.reported_by}`);
    return h(
      "figure",
      { class: "quote" },
      premise ? h("p", { class: "premise" }, "Premise") : null,
      h("blockquote", {}, quote.exact),
      quote.display
        ? h(
            "p",
            { class: "reading" },
            h("span", { class: "reading-label" }, "Reads as: "),
            quote.display,
          )
        : null,
      h(
        "figcaption",
        {},
        h("span", { class: "who" }, "Whose words: ", h("strong", {}, who)),
        extra.length ? ` (${extra.join("; ")})` : "",
        h("br", {}),
        h(
          "span",
          { class: "where" },
          "In ",
          source ? h("cite", {}, source.title) : quote.source,
          `, characters ${quote.start}–${quote.end}.`,
        ),
      ),
    );
  }

  // A link to an entity: to its place on this page when it is shown here.
  function ref(r, ctx) {
    if (!r) return null;
    const target = anchorId(r.type, r.id);
    const name = r.name || r.id;
    const link = state.anchors.has(target)
      ? h(
          "a",
          { href: `#${target}`, class: "ref", "data-key": uniqueKey(`${ctx}/link/${target}`) },
          name,
        )
      : h("span", { class: "ref" }, name);
    if (r.basis !== "inferred") return link;
    // A link that exists only through an inference (its proof is on the other entity's card).
    return h(
      "span",
      { class: "ref-inferred" },
      link,
      " ",
      h("span", { class: "badge badge-inferred badge-small" }, "inferred"),
    );
  }

  function quoted(text) {
    return h("q", { class: "verbatim" }, text);
  }

  // ---- Dates ---------------------------------------------------------------------------------

  const QUALIFIED = /[~?%X]/;

  function isExact(date) {
    return (
      Boolean(date.edtf) &&
      !date.edtf.includes("/") &&
      !QUALIFIED.test(date.edtf) &&
      date.lower &&
      date.upper
    );
  }

  function bounds(date) {
    if (!date.lower && !date.upper) return "";
    if (date.lower && date.upper) {
      return date.lower === date.upper
        ? `on ${date.lower}`
        : `between ${date.lower} and ${date.upper}`;
    }
    if (date.lower) return `from ${date.lower}, with no end`;
    return `up to ${date.upper}, with no earliest date`;
  }

  /** A date as the source gives it: its own words verbatim, then the EDTF value and its bounds. */
  function dateText(date) {
    if (!date || (!date.edtf && !date.phrase)) return null;
    const parts = [];
    if (date.phrase) parts.push(quoted(date.phrase));
    if (date.edtf) {
      parts.push(" ", h("code", { class: "edtf", title: "Extended Date/Time Format" }, date.edtf));
      const b = bounds(date);
      if (b) parts.push(h("span", { class: "bounds" }, ` (${b})`));
    } else {
      parts.push(h("span", { class: "bounds" }, " (no date that can be placed on a calendar)"));
    }
    return h("span", { class: "date" }, parts);
  }

  // ---- Sections ----------------------------------------------------------------------------

  function prop(name, ...values) {
    const shown = values.flat().filter((v) => v !== null && v !== undefined && v !== "");
    if (shown.length === 0) return null;
    return h("div", { class: "prop" }, h("dt", {}, name), h("dd", {}, shown));
  }

  function withId(wrap, id) {
    wrap.querySelector(".v").id = id;
    return wrap;
  }

  function reportedCount(rc, ctx, verb) {
    const c = `${ctx}/count:${rc.id}`;
    const kind = rc.party_kind || "party";
    const countText =
      rc.count === null || rc.count === undefined
        ? `unnamed ${plural(kind, 2)}, number not given`
        : `${rc.count} unnamed ${plural(kind, rc.count)}`;
    const count = h("strong", {}, countText);
    const phrase = quoted(rc.phrase);
    // The number and the source's words for the group are usually one claim: one button.
    const together = claimFor(rc, "count") === claimFor(rc, "phrase");
    return h(
      "li",
      {
        class: "unnamed",
        "data-type": "reported-count",
        "data-id": rc.id,
        "data-count": rc.count ?? "",
      },
      rc.basis === "inferred"
        ? [h("span", { class: "badge badge-inferred" }, "inferred"), " "]
        : null,
      fact(
        rc,
        c,
        "relation",
        h("span", { class: "status-badge status-unnamed" }, verb || label(rc.relation)),
        {
          row: false,
          what: "how they take part",
        },
      ),
      " ",
      together
        ? fact(rc, c, "count", [count, " — ", phrase], {
            what: "the unnamed parties the source counts",
          })
        : [
            fact(rc, c, "count", count, { what: "the count" }),
            " — ",
            fact(rc, c, "phrase", phrase, { what: "the source's words for them" }),
          ],
      rc.excludes
        ? [
            " ",
            fact(rc, c, "excludes", ["other than ", ref(rc.excludes, c)], {
              what: "who they are other than",
            }),
          ]
        : null,
      ". ",
      h("span", { class: "note" }, "The source does not name them."),
    );
  }

  function renderPrograms(programs, events) {
    if (programs.length === 0) return h("p", { class: "empty" }, "No programs.");
    return programs.map((p) => {
      const ctx = `program:${p.id}`;
      const eventCount = events.filter((e) =>
        (e.entities || []).some((r) => r.type === "program" && r.id === p.id),
      ).length;
      return h(
        "article",
        {
          class: "card program",
          id: anchorId("program", p.id),
          "data-type": "program",
          "data-id": p.id,
          "aria-labelledby": `${anchorId("program", p.id)}-title`,
        },
        h(
          "header",
          { class: "card-head" },
          withId(
            fact(p, ctx, "name", p.name, {
              tag: "div",
              className: "fact-title",
              valueTag: "h3",
              what: "the program's name",
            }),
            `${anchorId("program", p.id)}-title`,
          ),
          p.acronym
            ? fact(p, ctx, "acronym", p.acronym, {
                tag: "p",
                className: "acronym",
                what: "the acronym",
              })
            : null,
        ),
        p.summary
          ? fact(p, ctx, "summary", p.summary, {
              tag: "p",
              className: "summary",
              what: "the summary",
            })
          : null,
        h(
          "dl",
          { class: "props" },
          prop(
            "Description",
            p.description
              ? fact(p, ctx, "description", p.description, { what: "the description" })
              : null,
          ),
          prop(
            "Openness",
            p.openness ? fact(p, ctx, "openness", p.openness, { what: "openness" }) : null,
          ),
          prop(
            "Where",
            (p.locations || []).length || p.locations_phrase
              ? fact(
                  p,
                  ctx,
                  "locations",
                  [
                    h(
                      "span",
                      { class: "chips" },
                      (p.locations || []).map((l) => h("span", { class: "chip" }, label(l))),
                    ),
                    p.locations_phrase ? [" ", quoted(p.locations_phrase)] : null,
                  ],
                  { what: "where" },
                )
              : null,
          ),
          prop(
            "Objectives",
            (p.objectives || []).length
              ? h(
                  "ul",
                  { class: "list" },
                  p.objectives.map((o) =>
                    h(
                      "li",
                      { "data-type": "objective", "data-id": o.id },
                      fact(o, `${ctx}/objective:${o.id}`, "text", o.text, {
                        what: "the objective",
                      }),
                    ),
                  ),
                )
              : null,
          ),
          prop(
            "Participants",
            (p.participants || []).length || (p.reported_counts || []).length
              ? h(
                  "ul",
                  { class: "list" },
                  (p.participants || []).map((pt) => {
                    const c = `${ctx}/participant:${pt.id}`;
                    return h(
                      "li",
                      { "data-type": "participant", "data-id": pt.id },
                      pt.party
                        ? fact(pt, c, "party", ref(pt.party, c), { what: "the participant" })
                        : h("span", { class: "note" }, "party not named"),
                      pt.party ? h("span", { class: "kind" }, ` ${pt.party.type}`) : null,
                      pt.role
                        ? [
                            " — ",
                            fact(pt, c, "role", label(pt.role), { what: "the participant's role" }),
                          ]
                        : null,
                    );
                  }),
                  (p.reported_counts || []).map((rc) =>
                    reportedCount(rc, ctx, rc.relation === "participant" ? "participants" : null),
                  ),
                )
              : null,
          ),
          prop(
            "Agreements",
            (p.agreements || []).length
              ? h(
                  "ul",
                  { class: "list" },
                  p.agreements.map((a) => h("li", {}, ref(a, ctx))),
                )
              : null,
          ),
          prop(
            "Timeline",
            eventCount
              ? h(
                  "a",
                  { href: "#timeline", "data-key": uniqueKey(`${ctx}/timeline`) },
                  `${eventCount} event${eventCount === 1 ? "" : "s"} concern it`,
                )
              : null,
          ),
        ),
      );
    });
  }

  function signatoryItem(s) {
    const ctx = `signatory:${s.id}`;
    const row = rowClaim(s);
    // Without a claim of its own, the party is covered by the row's claim (the signatory's
    // existence), whose button then follows the party's name.
    const partyClaim =
      claimFor(s, "party", { row: false }) || claimFor(s, "party_phrase", { row: false }) || row;
    const party = s.party
      ? fact(s, ctx, "party", ref(s.party, ctx), { claim: partyClaim, what: "who the party is" })
      : s.party_phrase
        ? fact(s, ctx, "party_phrase", quoted(s.party_phrase), {
            claim: partyClaim,
            what: "the source's words for the party",
          })
        : h("span", { class: "note" }, "party not named");
    const phrase =
      s.party && s.party_phrase && s.party_phrase !== s.party.name
        ? [
            " ",
            h(
              "span",
              { class: "as-said" },
              "as the source puts it: ",
              fact(s, ctx, "party_phrase", quoted(s.party_phrase), {
                row: false,
                what: "the source's words for the party",
              }),
            ),
          ]
        : null;
    const date = dateText(s.date);
    const rowShown = partyClaim === row;
    return h(
      "li",
      {
        class: `signatory sig-${s.status}`,
        id: anchorId("signatory", s.id),
        "data-type": "signatory",
        "data-id": s.id,
        "data-basis": s.basis,
      },
      fact(
        s,
        ctx,
        "status",
        h("span", { class: `status-badge status-${s.status}` }, label(s.status)),
        { row: false, what: "the status" },
      ),
      " ",
      party,
      phrase,
      date ? [" — ", fact(s, ctx, "date", date, { row: false, what: "the date" })] : null,
      row && !rowShown
        ? [
            " ",
            fact(s, ctx, "row", "", { claim: row, className: "row-fact", what: "this signatory" }),
          ]
        : null,
    );
  }

  function renderAgreements(agreements, signatories) {
    const byAgreement = new Map();
    for (const s of signatories) {
      const key = s.agreement ? s.agreement.id : "";
      if (!byAgreement.has(key)) byAgreement.set(key, []);
      byAgreement.get(key).push(s);
    }
    const sortSignatories = (list) =>
      [...list].sort(
        (a, b) =>
          (STATUS_ORDER[a.status] ?? 9) - (STATUS_ORDER[b.status] ?? 9) ||
          String(a.party?.name || a.party_phrase || "").localeCompare(
            String(b.party?.name || b.party_phrase || ""),
          ),
      );
    const cards = agreements.map((a) => {
      const ctx = `agreement:${a.id}`;
      const own = sortSignatories(byAgreement.get(a.id) || []);
      byAgreement.delete(a.id);
      const counts = a.reported_counts || [];
      const date = dateText(a.date);
      return h(
        "article",
        {
          class: "card agreement",
          id: anchorId("agreement", a.id),
          "data-type": "agreement",
          "data-id": a.id,
          "aria-labelledby": `${anchorId("agreement", a.id)}-title`,
        },
        h(
          "header",
          { class: "card-head" },
          withId(
            fact(a, ctx, "name", a.name, {
              tag: "div",
              className: "fact-title",
              valueTag: "h3",
              what: "the agreement's name",
            }),
            `${anchorId("agreement", a.id)}-title`,
          ),
        ),
        h(
          "dl",
          { class: "props" },
          prop(
            "Kind",
            a.kind ? fact(a, ctx, "kind", label(a.kind), { what: "the kind of agreement" }) : null,
          ),
          prop(
            "Program",
            a.program
              ? fact(a, ctx, "program", ref(a.program, ctx), { what: "the program" })
              : null,
          ),
          prop("Date", date ? fact(a, ctx, "date", date, { what: "the date" }) : null),
          prop(
            "Purpose",
            a.purpose ? fact(a, ctx, "purpose", a.purpose, { what: "the purpose" }) : null,
          ),
          prop(
            "Effect",
            a.effect ? fact(a, ctx, "effect", a.effect, { what: "the effect" }) : null,
          ),
        ),
        h("h4", { class: "sub" }, "Signatories"),
        own.length || counts.length
          ? h(
              "ul",
              { class: "signatories" },
              own.map(signatoryItem),
              counts.map((rc) => reportedCount(rc, ctx)),
            )
          : h("p", { class: "empty" }, "No signatory is named or counted."),
      );
    });
    // Signatories of an agreement not listed (none should be): shown, never dropped.
    for (const [key, list] of byAgreement) {
      cards.push(
        h(
          "article",
          { class: "card agreement orphan" },
          h("h3", {}, list[0].agreement ? list[0].agreement.name : key || "Agreement not given"),
          h("ul", { class: "signatories" }, sortSignatories(list).map(signatoryItem)),
        ),
      );
    }
    return cards.length ? cards : h("p", { class: "empty" }, "No agreements.");
  }

  function renderRestrictions(restrictions) {
    if (restrictions.length === 0) return h("p", { class: "empty" }, "No restrictions.");
    return restrictions.map((r) => {
      const ctx = `restriction:${r.id}`;
      const since = dateText(r.since);
      return h(
        "article",
        {
          class: "card restriction",
          id: anchorId("restriction", r.id),
          "data-type": "restriction",
          "data-id": r.id,
          "aria-labelledby": `${anchorId("restriction", r.id)}-title`,
        },
        h(
          "header",
          { class: "card-head" },
          withId(
            fact(r, ctx, "name", r.name, {
              tag: "div",
              className: "fact-title",
              valueTag: "h3",
              what: "the restriction's name",
            }),
            `${anchorId("restriction", r.id)}-title`,
          ),
        ),
        h(
          "dl",
          { class: "props" },
          prop(
            "Jurisdiction",
            r.jurisdiction
              ? fact(r, ctx, "jurisdiction", ref(r.jurisdiction, ctx), { what: "the jurisdiction" })
              : null,
          ),
          prop("Since", since ? fact(r, ctx, "since", since, { what: "since when" }) : null),
          prop(
            "Restricted",
            (r.restricted_parties || []).length
              ? fact(
                  r,
                  ctx,
                  "restricted_parties",
                  h(
                    "span",
                    { class: "refs" },
                    r.restricted_parties.map((p, i) => [i ? ", " : "", ref(p, ctx)]),
                  ),
                  { what: "who is restricted" },
                )
              : null,
          ),
          prop(
            "Counterpart",
            r.counterpart || r.counterpart_phrase
              ? fact(
                  r,
                  ctx,
                  "counterpart",
                  [
                    ref(r.counterpart, ctx),
                    r.counterpart_phrase
                      ? [r.counterpart ? " — " : "", quoted(r.counterpart_phrase)]
                      : null,
                  ],
                  { what: "the counterpart" },
                )
              : null,
          ),
          prop("Scope", r.scope ? fact(r, ctx, "scope", r.scope, { what: "the scope" }) : null),
          prop(
            "Lifted when",
            r.lifts_when || r.lifting_agency
              ? fact(
                  r,
                  ctx,
                  "lifts_when",
                  [r.lifts_when, r.lifting_agency ? [" (", ref(r.lifting_agency, ctx), ")"] : null],
                  { what: "when it is lifted" },
                )
              : null,
          ),
          prop(
            "Affects program",
            r.effect_program
              ? fact(r, ctx, "effect_program", ref(r.effect_program, ctx), {
                  what: "the program it affects",
                })
              : null,
          ),
          prop(
            "Effect",
            r.effect ? fact(r, ctx, "effect", r.effect, { what: "the effect" }) : null,
          ),
        ),
      );
    });
  }

  // ---- Timeline ----------------------------------------------------------------------------

  const DAY = 86400000;
  const utc = (iso) => Date.parse(`${iso}T00:00:00Z`);

  function axisRange(dated) {
    const years = [];
    for (const e of dated) {
      if (e.date.lower) years.push(Number(e.date.lower.slice(0, 4)));
      if (e.date.upper) years.push(Number(e.date.upper.slice(0, 4)));
    }
    const lo = Math.min(...years);
    const hi = Math.max(...years);
    const span = hi - lo;
    const step =
      span <= 8 ? 1 : span <= 16 ? 2 : span <= 40 ? 5 : span <= 80 ? 10 : span <= 200 ? 25 : 100;
    // Room on each side, so that an open end has somewhere to fade to.
    const start = Math.floor((lo - 1) / step) * step;
    const end = Math.ceil((hi + 2) / step) * step;
    return { start, end, step, t0: Date.UTC(start, 0, 1), t1: Date.UTC(end, 0, 1) };
  }

  function pct(range, t) {
    return Math.max(0, Math.min(100, ((t - range.t0) / (range.t1 - range.t0)) * 100));
  }

  function eventText(e, ctx) {
    return [
      fact(e, ctx, "summary", e.summary, { tag: "p", className: "ev-summary", what: "this event" }),
      h(
        "p",
        { class: "ev-meta" },
        h("span", { class: `status-badge ev-${e.status}` }, label(e.status)),
        " ",
        h("span", { class: "kind" }, label(e.kind)),
        (e.entities || []).length
          ? [
              " · ",
              h(
                "span",
                { class: "refs" },
                e.entities.map((r, i) => [i ? ", " : "", ref(r, ctx)]),
              ),
            ]
          : null,
      ),
    ];
  }

  function dateFact(e, ctx, content) {
    // The date has a claim of its own only sometimes; otherwise the row's claim covers it and
    // its button is the summary's.
    return claimFor(e, "date", { row: false })
      ? fact(e, ctx, "date", content, { row: false, what: "the date" })
      : content;
  }

  function renderTimeline(events) {
    const dated = events.filter((e) => e.date && e.date.edtf && (e.date.lower || e.date.upper));
    const undated = events.filter((e) => !dated.includes(e));
    const out = [];
    if (dated.length) {
      const range = axisRange(dated);
      const today = Date.now();
      const ticks = [];
      for (let y = range.start; y <= range.end; y += range.step) ticks.push(y);
      const tickEls = (withLabels) =>
        ticks.map((y) => {
          const el = h(
            "span",
            { class: withLabels ? "tl-tick" : "tl-gridline" },
            withLabels ? String(y) : "",
          );
          el.style.left = `${pct(range, Date.UTC(y, 0, 1))}%`;
          return el;
        });
      const todayIn = today > range.t0 && today < range.t1;
      const todayMark = (withLabel) => {
        if (!todayIn) return null;
        const el = h(
          "span",
          { class: withLabel ? "tl-today-label" : "tl-today" },
          withLabel ? "today" : "",
        );
        el.style.left = `${pct(range, today)}%`;
        return el;
      };
      const sorted = [...dated].sort((a, b) => {
        const ka = a.date.lower ? utc(a.date.lower) : -Infinity;
        const kb = b.date.lower ? utc(b.date.lower) : -Infinity;
        return (
          ka - kb ||
          (a.date.upper || "").localeCompare(b.date.upper || "") ||
          a.id.localeCompare(b.id)
        );
      });
      const rows = sorted.map((e) => {
        const ctx = `event:${e.id}`;
        const d = e.date;
        const exact = isExact(d);
        const mark = h("span", { class: "tl-mark" });
        let shape;
        if (exact) {
          shape = "point";
          const mid = (utc(d.lower) + utc(d.upper) + DAY) / 2;
          mark.style.left = `${pct(range, mid)}%`;
        } else {
          shape = "span";
          const from = d.lower ? pct(range, utc(d.lower)) : 0;
          const to = d.upper ? pct(range, utc(d.upper) + DAY) : 100;
          mark.style.left = `${from}%`;
          mark.style.width = `${Math.max(to - from, 0.6)}%`;
          if (!d.lower) mark.classList.add("open-start");
          if (!d.upper) mark.classList.add("open-end");
          if (QUALIFIED.test(d.edtf)) mark.classList.add("fuzzy");
        }
        mark.classList.add(shape, `ev-${e.status}`);
        const open = !d.lower ? "start" : !d.upper ? "end" : "";
        return h(
          "li",
          {
            class: "tl-row",
            id: anchorId("event", e.id),
            "data-type": "event",
            "data-id": e.id,
            "data-shape": shape,
            "data-open": open,
            "data-edtf": d.edtf,
          },
          h("p", { class: "tl-when" }, dateFact(e, ctx, dateText(d))),
          h(
            "div",
            { class: "tl-track", "aria-hidden": "true" },
            tickEls(false),
            todayMark(false),
            mark,
          ),
          eventText(e, ctx),
        );
      });
      out.push(
        h(
          "div",
          { class: "tl-chart" },
          h(
            "p",
            { class: "tl-note" },
            "Events with a date, on an axis of years: ",
            h("span", { class: "key key-point", "aria-hidden": "true" }),
            " an exact date; ",
            h("span", { class: "key key-span", "aria-hidden": "true" }),
            " a date that can be any day between its earliest and latest bound; ",
            h("span", { class: "key key-open", "aria-hidden": "true" }),
            " a side with no bound (the bar fades to the edge of the axis); ",
            h("span", { class: "key key-fuzzy", "aria-hidden": "true" }),
            " an approximate or uncertain date. Planned events are drawn in violet, those that occurred in teal.",
          ),
          h("div", { class: "tl-axis", "aria-hidden": "true" }, tickEls(true), todayMark(true)),
          h("ol", { class: "tl-rows", id: "timeline-dated", "aria-label": "Dated events" }, rows),
        ),
      );
    } else {
      out.push(h("p", { class: "empty" }, "No event has a date that can be placed on an axis."));
    }
    out.push(
      h("h3", { id: "undated-h", class: "sub" }, "Undated events"),
      h(
        "p",
        { class: "tl-note" },
        "These events have no date that can be placed on a calendar. Where the source says when in words of its own, they are shown as written.",
      ),
    );
    if (undated.length) {
      out.push(
        h(
          "ul",
          { class: "undated", id: "undated", "aria-labelledby": "undated-h" },
          undated.map((e) => {
            const ctx = `event:${e.id}`;
            const d = e.date || {};
            const when = d.phrase
              ? h(
                  "p",
                  { class: "when" },
                  dateFact(e, ctx, [
                    quoted(d.phrase),
                    d.edtf ? [" ", h("code", { class: "edtf" }, d.edtf)] : null,
                  ]),
                )
              : h(
                  "p",
                  { class: "when when-none" },
                  d.edtf ? h("code", { class: "edtf" }, d.edtf) : "No date given",
                );
            return h(
              "li",
              {
                class: "undated-item",
                id: anchorId("event", e.id),
                "data-type": "event",
                "data-id": e.id,
              },
              when,
              eventText(e, ctx),
            );
          }),
        ),
      );
    } else {
      out.push(h("p", { class: "empty" }, "None."));
    }
    return out;
  }

  // ---- Agencies, countries, attributions, sources --------------------------------------------

  function renderParties(agencies, countries) {
    const agencyCards = agencies.map((a) => {
      const ctx = `agency:${a.id}`;
      return h(
        "article",
        {
          class: "card small",
          id: anchorId("agency", a.id),
          "data-type": "agency",
          "data-id": a.id,
          "aria-labelledby": `${anchorId("agency", a.id)}-title`,
        },
        h(
          "header",
          { class: "card-head" },
          withId(
            fact(a, ctx, "name", a.name, {
              tag: "div",
              className: "fact-title",
              valueTag: "h4",
              what: "the agency's name",
            }),
            `${anchorId("agency", a.id)}-title`,
          ),
        ),
        h(
          "dl",
          { class: "props" },
          prop(
            "Acronym",
            a.acronym ? fact(a, ctx, "acronym", a.acronym, { what: "the acronym" }) : null,
          ),
          prop(
            "Kind",
            a.kind ? fact(a, ctx, "kind", label(a.kind), { what: "the kind of body" }) : null,
          ),
          prop(
            "Country",
            a.country
              ? fact(a, ctx, "country", ref(a.country, ctx), { what: "the country" })
              : null,
          ),
          prop(
            "Description",
            a.description
              ? fact(a, ctx, "description", a.description, { what: "the description" })
              : null,
          ),
          prop(
            "Programs",
            (a.programs || []).length
              ? h(
                  "span",
                  { class: "refs" },
                  a.programs.map((p, i) => [i ? ", " : "", ref(p, ctx)]),
                )
              : null,
          ),
        ),
      );
    });
    const countryCards = countries.map((c) => {
      const ctx = `country:${c.code}`;
      return h(
        "article",
        {
          class: "card small",
          id: anchorId("country", c.code),
          "data-type": "country",
          "data-id": c.code,
          "aria-labelledby": `${anchorId("country", c.code)}-title`,
        },
        h(
          "header",
          { class: "card-head" },
          withId(
            fact(c, ctx, "name", c.name, {
              tag: "div",
              className: "fact-title",
              valueTag: "h4",
              what: "the country's name",
            }),
            `${anchorId("country", c.code)}-title`,
          ),
        ),
        h(
          "dl",
          { class: "props" },
          prop("Code", h("code", {}, c.code)),
          prop(
            "Agencies",
            (c.agencies || []).length
              ? h(
                  "span",
                  { class: "refs" },
                  c.agencies.map((a, i) => [i ? ", " : "", ref(a, ctx)]),
                )
              : null,
          ),
        ),
      );
    });
    return [
      h("h3", { class: "sub" }, "Agencies"),
      h(
        "div",
        { class: "cards-grid" },
        agencyCards.length ? agencyCards : h("p", { class: "empty" }, "None."),
      ),
      h("h3", { class: "sub" }, "Countries"),
      h(
        "div",
        { class: "cards-grid" },
        countryCards.length ? countryCards : h("p", { class: "empty" }, "None."),
      ),
    ];
  }

  function renderVoices(attributions, sources) {
    return [
      h(
        "p",
        { class: "tl-note" },
        "Every quote on this page belongs to one of these voices: whose words they are, as the article presents them.",
      ),
      h(
        "ul",
        { class: "voices" },
        attributions.map((a) => {
          const ctx = `attribution:${a.id}`;
          return h(
            "li",
            { id: anchorId("attribution", a.id), "data-type": "attribution", "data-id": a.id },
            fact(a, ctx, "label", h("strong", {}, a.label), { what: "this voice's label" }),
            a.description ? h("span", { class: "voice-desc" }, ` — ${a.description}`) : null,
            a.speaker
              ? [
                  " Speaker: ",
                  fact(a, ctx, "speaker", ref(a.speaker, ctx), { what: "the speaker" }),
                  ".",
                ]
              : null,
            a.reported_by
              ? [
                  " Reported by ",
                  fact(a, ctx, "reported_by", a.reported_by, { what: "who reported it" }),
                  ".",
                ]
              : null,
            typeof a.quote_count === "number"
              ? h(
                  "span",
                  { class: "note" },
                  ` ${a.quote_count} quote${a.quote_count === 1 ? "" : "s"}.`,
                )
              : null,
          );
        }),
      ),
      h("h3", { class: "sub" }, "Sources"),
      h(
        "ul",
        { class: "voices" },
        sources.map((s) =>
          h(
            "li",
            { id: anchorId("source", s.id), "data-type": "source", "data-id": s.id },
            h("cite", {}, s.title),
            s.publisher ? `, ${s.publisher}` : "",
            s.author ? `, by ${s.author}` : "",
            s.published && s.published.phrase ? [", ", quoted(s.published.phrase)] : "",
            s.description ? h("span", { class: "voice-desc" }, ` — ${s.description}`) : null,
            " ",
            s.text_url
              ? h(
                  "a",
                  { href: s.text_url, "data-key": uniqueKey(`source:${s.id}/text`) },
                  "Read its text",
                )
              : null,
            typeof s.length === "number"
              ? h(
                  "span",
                  { class: "note" },
                  ` (${s.length} characters, ${s.citation_count} quotes)`,
                )
              : null,
          ),
        ),
      ),
    ];
  }

  // ---- Popovers ----------------------------------------------------------------------------

  let open = null; // {btn, pop, via: "hover" | "focus" | "click"}
  let hoverTimer = 0;
  let hoverOpenTimer = 0;
  let hoverPending = null;
  let quietFocus = false;

  function popFor(btn) {
    return document.getElementById(btn.getAttribute("aria-controls"));
  }

  function showPop(btn, via) {
    clearTimeout(hoverTimer);
    if (open && open.btn !== btn) hidePop(false);
    const pop = popFor(btn);
    if (!pop) return;
    pop.hidden = false;
    btn.setAttribute("aria-expanded", "true");
    open = { btn, pop, via };
    place();
  }

  function hidePop(returnFocus) {
    clearTimeout(hoverTimer);
    if (!open) return;
    const { btn, pop } = open;
    pop.hidden = true;
    btn.setAttribute("aria-expanded", "false");
    open = null;
    if (returnFocus && btn.isConnected && document.activeElement !== btn) {
      quietFocus = true; // back on its button, the popover just closed stays closed
      btn.focus();
      quietFocus = false;
    }
  }

  function place() {
    if (!open) return;
    const { btn, pop } = open;
    const vw = document.documentElement.clientWidth;
    const vh = window.innerHeight;
    if (vw < 600) {
      // A sheet along the bottom of a narrow screen.
      pop.classList.add("sheet");
      pop.style.left = "";
      pop.style.top = "";
      pop.style.width = "";
      return;
    }
    pop.classList.remove("sheet");
    const r = btn.getBoundingClientRect();
    const width = Math.min(440, vw - 16);
    pop.style.width = `${width}px`;
    pop.style.maxHeight = "";
    const left = Math.min(Math.max(8, r.left + r.width / 2 - width / 2), vw - width - 8);
    const below = vh - r.bottom - 14;
    const above = r.top - 14;
    let height = pop.offsetHeight;
    // Below the button if it fits, else above if it fits, else on the roomier side, scrolling.
    const under = height <= below || (height > above && below >= above);
    if (height > (under ? below : above)) {
      pop.style.maxHeight = `${Math.max(120, under ? below : above)}px`;
      height = pop.offsetHeight;
    }
    pop.style.left = `${left}px`;
    pop.style.top = `${Math.max(8, under ? r.bottom + 6 : r.top - 6 - height)}px`;
  }

  function installPopoverEvents() {
    document.addEventListener("click", (ev) => {
      const close = ev.target.closest("[data-close]");
      if (close) {
        hidePop(true);
        return;
      }
      const btn = ev.target.closest("button.cite");
      if (btn) {
        if (open && open.btn === btn && open.via !== "hover") hidePop(false);
        else showPop(btn, "click");
        return;
      }
      if (open && !ev.target.closest("[data-pop]")) hidePop(false);
    });
    document.addEventListener("keydown", (ev) => {
      if (ev.key === "Escape" && open) {
        ev.preventDefault();
        // Back to its button, unless the pointer alone had opened it.
        hidePop(open.via !== "hover" || open.pop.contains(document.activeElement));
      }
    });
    document.addEventListener("pointerover", (ev) => {
      if (ev.pointerType !== "mouse") return;
      const wrap = ev.target.closest(".fact");
      if (!wrap) return;
      const btn = wrap.querySelector(":scope > button.cite");
      if (!btn) return;
      if (open && open.btn === btn) {
        clearTimeout(hoverTimer);
        return;
      }
      if (open && open.via !== "hover") return; // a popover opened on purpose stays
      if (hoverPending === btn) return;
      clearTimeout(hoverOpenTimer);
      hoverPending = btn;
      // A moment's pause first, so that a pointer passing over the page opens nothing.
      hoverOpenTimer = setTimeout(() => {
        hoverPending = null;
        if (btn.isConnected && !(open && open.via !== "hover")) showPop(btn, "hover");
      }, 200);
    });
    document.addEventListener("pointerout", (ev) => {
      if (ev.pointerType !== "mouse") return;
      if (hoverPending) {
        const pendingWrap = hoverPending.closest(".fact");
        if (!(ev.relatedTarget && pendingWrap.contains(ev.relatedTarget))) {
          clearTimeout(hoverOpenTimer);
          hoverPending = null;
        }
      }
      if (!open || open.via !== "hover") return;
      const wrap = open.btn.closest(".fact");
      if (ev.relatedTarget && wrap.contains(ev.relatedTarget)) return;
      clearTimeout(hoverTimer);
      hoverTimer = setTimeout(() => {
        if (open && open.via === "hover") hidePop(false);
      }, 250);
    });
    document.addEventListener("focusin", (ev) => {
      const btn = ev.target.closest && ev.target.closest("button.cite");
      if (quietFocus) return;
      if (btn && btn.matches(":focus-visible") && !(open && open.btn === btn)) {
        if (open && open.via === "click" && open.pop.contains(ev.target)) return;
        showPop(btn, "focus");
        return;
      }
      if (open && open.via !== "click" && !open.btn.closest(".fact").contains(ev.target))
        hidePop(false);
    });
    const onMove = () => {
      if (!open) return;
      if (open.via === "hover" && !open.pop.classList.contains("sheet")) {
        const r = open.btn.getBoundingClientRect();
        if (r.bottom < 0 || r.top > window.innerHeight) {
          hidePop(false);
          return;
        }
      }
      place();
    };
    window.addEventListener("scroll", onMove, { passive: true });
    window.addEventListener("resize", onMove);
  }

  // ---- Loading, rendering, live updates ------------------------------------------------------

  const state = {
    data: null,
    etag: "",
    attributions: new Map(),
    sources: new Map(),
    anchors: new Set(),
    inflight: false,
    again: null,
    renders: 0,
  };

  async function problemText(res) {
    try {
      const body = await res.json();
      return body.detail || body.title || "";
    } catch {
      return "";
    }
  }

  function nextUrl(current, res, body) {
    if (body.next_cursor) {
      const u = new URL(current, location.href);
      u.searchParams.set("cursor", body.next_cursor);
      return u.pathname + u.search;
    }
    const link = res.headers.get("Link");
    const m = link && /<([^>]*)>\s*;\s*rel="?next"?/.exec(link);
    if (m) {
      const u = new URL(m[1], location.href);
      if (u.origin === location.origin) return u.pathname + u.search;
    }
    return null;
  }

  /** Every item of a collection, page after page until there is no next page. */
  async function fetchAll(collection) {
    let url = `${API}/${collection}?limit=${PAGE_SIZE}`;
    const items = [];
    const etags = [];
    const seen = new Set();
    let total = null;
    while (url) {
      if (seen.has(url)) throw new Error(`${collection}: the API sent the same page twice`);
      seen.add(url);
      // no-cache: revalidate (a cheap 304 when nothing changed), never serve a stale copy.
      const res = await fetch(url, { cache: "no-cache", headers: { Accept: "application/json" } });
      if (!res.ok)
        throw new Error(`${collection}: HTTP ${res.status} ${await problemText(res)}`.trim());
      etags.push(res.headers.get("ETag") || "");
      const body = await res.json();
      items.push(...(body.items || []));
      // A lower bound ("gte") says nothing exact to check the items read against.
      if (typeof body.total === "number") total = body.total_relation === "gte" ? null : body.total;
      url = nextUrl(url, res, body);
    }
    return { items, total, pages: seen.size, etag: etags.join(",") };
  }

  function showProblems(messages) {
    const box = document.getElementById("problems");
    box.replaceChildren(...messages.map((m) => h("p", {}, m)));
    box.hidden = messages.length === 0;
  }

  let failures = 0;
  let retryTimer = 0;

  async function refresh(reason) {
    if (state.inflight) {
      // Read again once this read ends; a pending change (to highlight) wins over a resync.
      state.again = (reason && reason.change ? reason : state.again || reason) || { kind: "again" };
      return;
    }
    state.inflight = true;
    try {
      const results = await Promise.all(COLLECTIONS.map(fetchAll));
      const data = Object.fromEntries(COLLECTIONS.map((c, i) => [c, results[i]]));
      const etag = results.map((r) => r.etag).join("|");
      const warnings = [];
      for (const c of COLLECTIONS) {
        const r = data[c];
        if (r.total !== null && r.total !== r.items.length) {
          warnings.push(
            `${c}: the API counts ${r.total} but ${r.items.length} were read; reload to try again.`,
          );
        }
      }
      showProblems(warnings);
      // A change was announced but every page is as before: a server that has not caught up
      // yet (another worker) answered. Ask again, a few times.
      const tries = reason && reason.change ? reason.tries || 0 : 99;
      if (etag === state.etag && tries < 4) {
        setTimeout(() => refresh({ ...reason, tries: tries + 1 }), 500 * (tries + 1));
      }
      const unchanged = etag === state.etag && state.data !== null;
      state.etag = etag;
      state.data = data;
      // Nothing new (a resync after reconnecting, say): leave the page as the reader has it.
      if (!unchanged) render(reason);
      root.dataset.state = "ready";
      failures = 0;
    } catch (err) {
      showProblems(
        [
          `Could not read the API: ${err.message}.`,
          state.data ? "Showing what was read before." : "",
        ].filter(Boolean),
      );
      if (!state.data) root.dataset.state = "error";
      // Try again by itself, less and less often (a change message or a reconnection also does).
      failures += 1;
      clearTimeout(retryTimer);
      retryTimer = setTimeout(() => refresh(reason), Math.min(2000 * 2 ** failures, 60000));
    } finally {
      state.inflight = false;
      if (state.again) {
        const again = state.again;
        state.again = null;
        refresh(again);
      }
    }
  }

  function focusKeyOf(el) {
    const keyed = el && el.closest && el.closest("[data-key]");
    return keyed ? keyed.dataset.key : null;
  }

  function render(reason) {
    const d = state.data;
    // What to restore afterwards: the focused control and the open popover, by key.
    const active = document.activeElement;
    const focusKey = focusKeyOf(active);
    const focusSection = active && active.closest ? active.closest("section") : null;
    const openKey = open ? open.btn.dataset.key : null;
    const openVia = open ? open.via : null;
    const closeInside = Boolean(open && active && open.pop.contains(active));
    if (open) hidePop(false);

    state.attributions = new Map(d.attributions.items.map((a) => [a.id, a]));
    state.sources = new Map(d.sources.items.map((s) => [s.id, s]));
    state.anchors = new Set();
    for (const [type, coll] of [
      ["program", "programs"],
      ["agreement", "agreements"],
      ["signatory", "signatories"],
      ["restriction", "restrictions"],
      ["event", "events"],
      ["agency", "agencies"],
      ["attribution", "attributions"],
      ["source", "sources"],
    ]) {
      for (const item of d[coll].items) state.anchors.add(anchorId(type, item.id));
    }
    for (const c of d.countries.items) state.anchors.add(anchorId("country", c.code));
    renderKeys = new Set();
    popCounter = 0;

    const sections = {
      "programs-body": renderPrograms(d.programs.items, d.events.items),
      "agreements-body": renderAgreements(d.agreements.items, d.signatories.items),
      "restrictions-body": renderRestrictions(d.restrictions.items),
      "timeline-body": renderTimeline(d.events.items),
      "parties-body": renderParties(d.agencies.items, d.countries.items),
      "voices-body": renderVoices(d.attributions.items, d.sources.items),
    };
    for (const [id, content] of Object.entries(sections)) {
      const el = document.getElementById(id);
      el.replaceChildren(...[content].flat(Infinity).filter(Boolean));
      el.removeAttribute("aria-busy");
    }
    state.renders += 1;
    root.dataset.renders = String(state.renders);

    const byKey = (key) => (key ? document.querySelector(`[data-key="${CSS.escape(key)}"]`) : null);
    if (openKey) {
      const btn = byKey(openKey);
      if (btn) showPop(btn, openVia);
    }
    if (active && active !== document.body && !active.isConnected) {
      const target = closeInside ? byKey(openKey) : byKey(focusKey);
      if (target) target.focus({ preventScroll: true });
      else if (focusSection) {
        const heading = focusSection.querySelector("h2");
        heading.setAttribute("tabindex", "-1");
        heading.focus({ preventScroll: true });
      }
    }

    const change = reason && reason.change;
    if (change && change.entity) {
      const el = document.querySelector(
        `[data-type="${CSS.escape(change.entity.type)}"][data-id="${CSS.escape(change.entity.id)}"]`,
      );
      if (el) {
        el.classList.remove("flash");
        void el.offsetWidth; // restart the animation
        el.classList.add("flash");
      }
    }
    const when = new Date().toLocaleTimeString([], {
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
    });
    const what = change
      ? ` after revision ${change.revision}: ${change.entity ? `${change.entity.type} ${change.entity.id}` : "a change"}${change.change ? ` (${change.change})` : ""}`
      : "";
    document.getElementById("updated").textContent = `Data read at ${when}${what}.`;
    if (change && change.revision !== undefined) root.dataset.revision = String(change.revision);
  }

  // The live stream: one `change` message per revision; any of them means "read again".
  let source = null;
  let retryMs = 1000;
  let debounce = 0;
  let pendingChange = null;

  function setLive(status, text) {
    const el = document.getElementById("live");
    el.dataset.live = status;
    document.getElementById("live-text").textContent = text || status;
  }

  function scheduleRefresh(change) {
    if (change) pendingChange = change;
    clearTimeout(debounce);
    debounce = setTimeout(() => {
      const c = pendingChange;
      pendingChange = null;
      refresh(c ? { change: c, tries: 0 } : { kind: "resync" });
    }, DEBOUNCE_MS);
  }

  function onChange(ev) {
    let item = null;
    try {
      item = JSON.parse(ev.data);
    } catch {
      item = null;
    }
    const ext = item && item._spacefacts;
    const change = ext && ext.type === "change" ? ext : { revision: ev.lastEventId || undefined };
    scheduleRefresh(change);
  }

  function connect() {
    if (typeof EventSource === "undefined") {
      setLive("off", "no live updates in this browser");
      return;
    }
    setLive("connecting", "connecting…");
    const es = new EventSource(`${API}/stream`);
    source = es;
    es.addEventListener("open", () => {
      retryMs = 1000;
      setLive("live", "live");
      // Whatever changed while not connected (or while the first load was under way) is read
      // now: cheap, every unchanged page is a 304.
      scheduleRefresh(null);
    });
    es.addEventListener("change", onChange);
    es.addEventListener("error", () => {
      if (es.readyState === EventSource.CLOSED) {
        // The browser gave up (e.g. the stream answered with an error): try again later.
        if (source === es) source = null;
        setLive("reconnecting", "reconnecting…");
        setTimeout(connect, retryMs);
        retryMs = Math.min(retryMs * 2, 30000);
      } else {
        setLive("reconnecting", "reconnecting…");
      }
    });
  }

  function start() {
    installPopoverEvents();
    connect();
    refresh(null);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
