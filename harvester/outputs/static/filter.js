// The topic page's filter: it loads the topic's filter-N.json chunks (same site) on first
// use and narrows the list as one types. Without a script the pages read as they are.
(function () {
  "use strict";
  var form = document.getElementById("filter-form");
  if (!form || !window.fetch) { return; }
  var input = document.getElementById("filter");
  var status = document.getElementById("filter-status");
  var listing = document.getElementById("listing");
  var matches = document.getElementById("matches");
  var results = document.getElementById("results");
  var more = document.getElementById("more");
  var chunks = Number(form.dataset.chunks);
  var total = Number(form.dataset.total);
  var SHOW = 100;
  var SEP = "\u0001";  // between fields, so that a filter never matches across two
  var papers = [];
  var loaded = 0;
  var loading = null;
  var found = [];
  var shown = 0;
  var timer = 0;

  function load() {
    if (loading) { return loading; }
    loading = (async function () {
      for (var i = 0; i < chunks; i += 1) {
        var response = await fetch("filter-" + i + ".json");
        if (!response.ok) { throw new Error("filter-" + i + ".json: HTTP " + response.status); }
        var records = await response.json();
        for (var r of records) {
          var hay = [r[1]].concat(r[2], r[4], [r[3]]).join(SEP).toLowerCase();
          papers.push({ r: r, hay: hay });
        }
        loaded = i + 1;
        run();
      }
    })().catch(function (error) { status.textContent = "The filter could not load: " + error.message; });
    return loading;
  }

  function terms() {
    return input.value.split(",").map(function (t) {
      return t.trim().replace(/\s+/g, " ").toLowerCase();
    }).filter(Boolean);
  }

  function text(tag, value, cls) {
    var el = document.createElement(tag);
    if (cls) { el.className = cls; }
    el.textContent = value;
    return el;
  }

  function link(href, value) {
    var a = text("a", value);
    a.href = href;
    return a;
  }

  function render(r) {
    var id = r[0], key = id.replace(/v\d+$/, ""), url = "https://arxiv.org/abs/" + id;
    var li = document.createElement("li");
    li.className = "paper";
    var h = document.createElement("h3");
    h.appendChild(link(url, r[1]));
    li.appendChild(h);
    li.appendChild(text("p", r[2].join(", "), "authors"));
    var meta = document.createElement("p");
    meta.className = "meta";
    var time = text("time", r[3]);
    time.dateTime = r[3];
    meta.append(time, " · ", text("span", r[4].join(" "), "cats"), " · ", link(url, id),
      " (v" + id.match(/v(\d+)$/)[1] + ") · ", link("https://arxiv.org/pdf/" + id, "PDF"));
    // r[5]: each DOI with its doi.org link, made (and escaped) by the site's build.
    r[5].forEach(function (doi, i) { meta.append(i ? ", " : " · DOI ", link(doi[1], doi[0])); });
    if (r[6]) { meta.append(" · ", text("span", r[6], "jref")); }
    li.appendChild(meta);
    var details = document.createElement("details");
    details.appendChild(text("summary", "Abstract"));
    var abstract = text("p", "Loading…", "abstract");
    details.appendChild(abstract);
    details.addEventListener("toggle", function () {
      if (!details.open || details.dataset.done) { return; }
      details.dataset.done = "1";
      fetch(r[7]).then(function (response) { return response.text(); }).then(function (html) {
        var page = new DOMParser().parseFromString(html, "text/html");
        var item = page.getElementById("p-" + key);
        abstract.textContent = item ? item.querySelector(".abstract").textContent : "Not found on " + r[7];
      });
    });
    li.appendChild(details);
    return li;
  }

  function showMore() {
    var end = Math.min(found.length, shown + SHOW);
    var fragment = document.createDocumentFragment();
    for (; shown < end; shown += 1) { fragment.appendChild(render(found[shown].r)); }
    results.appendChild(fragment);
    more.hidden = shown >= found.length;
  }

  function run() {
    var wanted = terms();
    if (!wanted.length) {
      listing.hidden = false;
      matches.hidden = true;
      status.textContent = "";
      return;
    }
    found = papers.filter(function (p) {
      return wanted.every(function (t) { return p.hay.indexOf(t) !== -1; });
    });
    results.replaceChildren();
    shown = 0;
    showMore();
    listing.hidden = true;
    matches.hidden = false;
    var searched = loaded < chunks ? " (searched " + papers.length.toLocaleString("en") + " of " + total.toLocaleString("en") + " so far)" : "";
    status.textContent = found.length.toLocaleString("en") + (found.length === 1 ? " paper matches" : " papers match") + searched + ".";
  }

  form.hidden = false;
  form.addEventListener("submit", function (event) { event.preventDefault(); });
  input.addEventListener("focus", load);
  input.addEventListener("input", function () {
    window.clearTimeout(timer);
    timer = window.setTimeout(function () { load(); run(); }, 120);
  });
  more.addEventListener("click", showMore);
}());
