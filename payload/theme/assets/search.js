/* demokit — recherche du catalogue hors ligne / offline catalogue search.
 *
 * A classic script (no modules, no fetch: pages are opened from file://). The index
 * is another classic script, catalogue/search-index.js, written by demokit; it is
 * loaded when the search is first used and sets window.DEMOKIT_SEARCH.
 *
 * fold() and tokens() must give exactly what Swift's TextFolding gives: both are
 * checked against Tests/DemoKitTests/Fixtures/folding-vectors.json. The ranking is
 * the database's: whole words in name or replaced products, tier, then the entry's
 * standing (on the key, health, users), then
 * FTS5's bm25 with the database's column weights (see SearchIndex.swift). */
(function (global) {
  'use strict';

  var WORD, MARK;
  try {
    WORD = new RegExp('[\\p{Alphabetic}\\p{N}]+', 'gu');
    MARK = new RegExp('\\p{Mn}', 'gu');
  } catch (e) {
    // Browsers without Unicode property escapes: Latin letters and digits.
    WORD = /[0-9a-z\u00aa\u00b2\u00b3\u00b5\u00b9\u00ba\u00bc-\u00be\u00df-\u00f6\u00f8-\u024f]+/g;
    MARK = /[\u0300-\u036f]/g;
  }

  function fold(text) {
    var lowered = String(text).toLowerCase().replace(/\u0153/g, 'oe').replace(/\u00e6/g, 'ae');
    return lowered.normalize ? lowered.normalize('NFD').replace(MARK, '') : lowered;
  }

  function tokens(text) {
    return fold(text).match(WORD) || [];
  }

  // Variable-length base-32 numbers: see Varint in SearchIndex.swift.
  var DIGITS = {};
  (function () {
    var more = '0123456789abcdefghijklmnopqrstuv', last = 'wxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_-';
    for (var i = 0; i < 32; i++) { DIGITS[more.charAt(i)] = i; DIGITS[last.charAt(i)] = 32 + i; }
  })();

  function decode(text) {
    var values = [], current = 0;
    for (var i = 0; i < text.length; i++) {
      var d = DIGITS[text.charAt(i)];
      if (d >= 32) { values.push(current * 32 + d - 32); current = 0; } else { current = current * 32 + d; }
    }
    return values;
  }

  var K1 = 1.2, B = 0.75, LIMIT = 50;

  function Index(data) {
    this.n = data.n;
    this.terms = data.terms ? data.terms.split(' ') : [];
    this.raw = data.postings ? data.postings.split(' ') : [];
    this.cache = {};
    this.lengths = decode(data.lengths);
    // Inside a tier, higher standing first (CatalogueSearch.standing); none in old indexes.
    this.standing = data.standing ? decode(data.standing) : [];
    this.docs = data.docs;
    this.stop = {};
    var stop = data.stop ? data.stop.split(' ') : [];
    for (var s = 0; s < stop.length; s++) this.stop[stop[s]] = true;
    var total = 0;
    for (var i = 0; i < this.lengths.length; i++) total += this.lengths[i];
    this.avgdl = this.n ? total / this.n : 0;
  }

  // [doc, weighted frequency, column mask, …] for term number i (mask: name 1,
  // replaced products 2, keywords 4).
  Index.prototype.postings = function (i) {
    var cached = this.cache[i];
    if (cached) return cached;
    var numbers = decode(this.raw[i]), out = [], doc = 0;
    for (var j = 0; j < numbers.length; j++) {
      var code = numbers[j];
      doc += code >> 1;
      if (code & 1) { var extra = numbers[++j]; out.push(doc, extra >> 3, extra & 7); } else out.push(doc, 1, 0);
    }
    return (this.cache[i] = out);
  };

  // The words searched, as CatalogueSearch.queryTokens: little words dropped when
  // others remain, a final plural s/x removed from words of more than 3 letters.
  Index.prototype.queryWords = function (query) {
    var all = tokens(query), stop = this.stop;
    var meaningful = all.filter(function (w) { return !stop[w]; });
    return (meaningful.length ? meaningful : all).map(function (w) {
      var last = w.charAt(w.length - 1);
      return w.length > 3 && (last === 's' || last === 'x') ? w.slice(0, -1) : w;
    });
  };

  // CatalogueSearch's order of tiers: every word a whole word of the name (0), of
  // name or replaced products (1); every word in the name (2), in name or replaced
  // products (3), in those or keywords (4), anywhere (5): « Word » before « WordPress ».
  // Column masks: name 1, replaced products 2, keywords 4 (see search() below).

  // Terms starting with prefix: a binary search, then a scan of the sorted terms.
  Index.prototype.prefixed = function (prefix) {
    var lo = 0, hi = this.terms.length;
    while (lo < hi) { var mid = (lo + hi) >> 1; if (this.terms[mid] < prefix) lo = mid + 1; else hi = mid; }
    var found = [];
    for (var i = lo; i < this.terms.length && this.terms[i].lastIndexOf(prefix, 0) === 0; i++) found.push(i);
    return found;
  };

  // SQLite's NOCASE: only ASCII letters are folded. Computed once per entry.
  Index.prototype.nameOrder = function (a, b) {
    if (!this.names) {
      this.names = this.docs.map(function (d) { return d[1].replace(/[A-Z]/g, function (c) { return c.toLowerCase(); }); });
    }
    var x = this.names[a], y = this.names[b];
    return x < y ? -1 : x > y ? 1 : 0;
  };

  function has(list, value) { return (' ' + list + ' ').indexOf(' ' + value + ' ') >= 0; }
  function filtering(filters) {
    return !!(filters.profil || filters.categorie || filters.plateforme || filters.licence);
  }
  function keep(doc, filters) {
    if (filters.profil && !has(doc[8], filters.profil)) return false;
    if (filters.categorie && !has(doc[6], filters.categorie)) return false;
    if (filters.plateforme && !has(doc[7], filters.plateforme)) return false;
    if (filters.licence && doc[4].toLowerCase().indexOf(filters.licence.toLowerCase()) < 0) return false;
    return true;
  }

  /* Every word must match as a prefix; results sorted like CatalogueSearch:
   * tier, standing, bm25 score, then name (ASCII case-insensitive). Returns {total, results}. */
  Index.prototype.search = function (query, filters, limit) {
    filters = filters || {};
    var words = this.queryWords(query), list = [], docs = this.docs, i, j, k, t, total;
    var max = limit === undefined ? LIMIT : limit;
    if (words.length) {
      // Per query word, in query order: weighted frequency per entry (a typed
      // array, fast even when a one-letter prefix matches every entry) and idf.
      var perWord = [], smallest = 0;
      for (i = 0; i < words.length; i++) {
        var freq = new Float64Array(this.n), mask = new Uint8Array(this.n), hitList = [], found = this.prefixed(words[i]);
        var exactMask = new Uint8Array(this.n);
        for (j = 0; j < found.length; j++) {
          var p = this.postings(found[j]), whole = this.terms[found[j]] === words[i];
          for (k = 0; k < p.length; k += 3) {
            if (freq[p[k]] === 0) hitList.push(p[k]);
            freq[p[k]] += p[k + 1];
            mask[p[k]] |= p[k + 2];
            if (whole) exactMask[p[k]] |= p[k + 2];
          }
        }
        if (!hitList.length) return { total: 0, results: [] };
        var hits = hitList.length, idf = Math.log((this.n - hits + 0.5) / (hits + 0.5));
        perWord.push({ freq: freq, mask: mask, exact: exactMask, list: hitList, idf: idf <= 0 ? 1e-6 : idf });
        if (hits < perWord[smallest].list.length) smallest = i;
      }
      // Each candidate's tier (the order above, from its masks) and
      // score; then only the tiers that hold the first `max` results are ranked in
      // full. A one-letter prefix matches most entries, and most of them rank in a
      // tier that cannot reach the first page.
      var candidates = perWord[smallest].list, count = candidates.length, wordCount = perWord.length;
      var tiers = new Uint8Array(count), scores = new Float64Array(count), kept = new Uint8Array(count);
      var perTier = [0, 0, 0, 0, 0, 0], filtered = filtering(filters);
      for (j = 0; j < count; j++) {
        var doc = candidates[j], score = 0, D = this.lengths[doc], norm = K1 * (1 - B + B * D / this.avgdl);
        var exact1 = true, exact3 = true, all1 = true, all3 = true, all7 = true;
        for (i = 0; i < wordCount; i++) {
          var w = perWord[i], f = w.freq[doc];
          if (f === 0) break;
          score += w.idf * (f * (K1 + 1)) / (f + norm);
          var m = w.mask[doc], e = w.exact[doc];
          if (!(e & 1)) exact1 = false;
          if (!(e & 3)) exact3 = false;
          if (!(m & 1)) all1 = false;
          if (!(m & 3)) all3 = false;
          if (!(m & 7)) all7 = false;
        }
        if (i < wordCount || (filtered && !keep(docs[doc], filters))) continue;
        t = exact1 ? 0 : exact3 ? 1 : all1 ? 2 : all3 ? 3 : all7 ? 4 : 5;
        kept[j] = 1; tiers[j] = t; scores[j] = score; perTier[t]++;
      }
      var cutoff = 0, above = 0;
      total = 0;
      for (t = 0; t < perTier.length; t++) total += perTier[t];
      while (cutoff < perTier.length - 1 && above + perTier[cutoff] < max) { above += perTier[cutoff]; cutoff++; }
      for (j = 0; j < count; j++) {
        if (kept[j] && tiers[j] <= cutoff) list.push({ doc: candidates[j], score: scores[j], tier: tiers[j] });
      }
    } else {
      for (i = 0; i < docs.length; i++) if (keep(docs[i], filters)) list.push({ doc: i, score: 0, tier: 0 });
      total = list.length;
    }
    var self = this, standing = this.standing;
    var order = function (a, b) {
      return a.tier - b.tier || (standing[b.doc] || 0) - (standing[a.doc] || 0) || b.score - a.score ||
        self.nameOrder(a.doc, b.doc) || a.doc - b.doc;
    };
    return { total: total, results: best(list, order, max).map(function (r) { return { doc: docs[r.doc], score: r.score }; }) };
  };

  // The first `count` of list in `order`, which is total (it ends with the entry
  // number), so this is exactly list.sort(order).slice(0, count). A one-letter prefix
  // matches most entries: keeping the best few is cheaper than sorting them all.
  function best(list, order, count) {
    if (count <= 0) return [];
    if (list.length <= count * 4) return list.sort(order).slice(0, count);
    var top = list.slice(0, count).sort(order);
    for (var i = count; i < list.length; i++) {
      var item = list[i];
      if (order(item, top[count - 1]) >= 0) continue;
      var lo = 0, hi = count - 1;
      while (lo < hi) { var mid = (lo + hi) >> 1; if (order(item, top[mid]) < 0) hi = mid; else lo = mid + 1; }
      top.splice(lo, 0, item);
      top.pop();
    }
    return top;
  }

  /* ---- The page: search box, filters, results; state in the URL. ---- */
  var FILTERS = ['profil', 'categorie', 'licence', 'plateforme'];

  function startPage(document) {
    var form = document.getElementById('recherche');
    if (!form) return;
    var body = document.body, input = form.elements.q;
    var box = document.getElementById('resultats'), list = document.getElementById('resultats-liste');
    var status = document.getElementById('resultats-statut');
    var lang = document.documentElement.getAttribute('lang') || 'fr';
    var text = function (key, n) { return (form.getAttribute('data-' + key) || '').replace('{n}', n); };
    var index = null, loading = false, pending = false;

    function state() {
      var out = { q: input.value };
      for (var i = 0; i < FILTERS.length; i++) out[FILTERS[i]] = form.elements[FILTERS[i]].value;
      return out;
    }

    function active(s) {
      if (tokens(s.q).length) return true;
      for (var i = 0; i < FILTERS.length; i++) if (s[FILTERS[i]]) return true;
      return false;
    }

    function writeURL(s) {
      var parts = [];
      var keys = ['q'].concat(FILTERS);
      for (var i = 0; i < keys.length; i++) {
        if (s[keys[i]]) parts.push(keys[i] + '=' + encodeURIComponent(s[keys[i]]).replace(/%20/g, '+'));
      }
      var url = location.pathname + (parts.length ? '?' + parts.join('&') : '') + location.hash;
      try { history.replaceState(null, '', url); } catch (e) { /* some browsers refuse on file:// */ }
    }

    function readURL() {
      var query = location.search.replace(/^\?/, '').split('&');
      for (var i = 0; i < query.length; i++) {
        var pair = query[i].split('='), key = decodeURIComponent(pair[0] || '');
        var value = decodeURIComponent((pair[1] || '').replace(/\+/g, ' '));
        if (key === 'q') input.value = value;
        else if (FILTERS.indexOf(key) >= 0) form.elements[key].value = value;
      }
    }

    function el(name, attrs, content) {
      var node = document.createElement(name);
      for (var key in attrs) node.setAttribute(key, attrs[key]);
      if (content !== undefined) node.textContent = content;
      return node;
    }

    function render() {
      var s = state();
      writeURL(s);
      if (!active(s)) { box.hidden = true; status.textContent = ''; list.textContent = ''; return; }
      if (!index) { status.textContent = text('loading'); load(); pending = true; return; }
      var found = index.search(s.q, s), base = body.getAttribute('data-base') || '';
      list.textContent = '';
      for (var i = 0; i < found.results.length; i++) {
        var doc = found.results[i].doc, item = el('li', { 'class': 'result' });
        var heading = el('h3');
        heading.appendChild(el('a', { href: base + 'logiciels/' + doc[0] + '.html' }, doc[1]));
        item.appendChild(heading);
        var english = lang === 'en' && doc[3];
        item.appendChild(el('p', { lang: english ? 'en' : 'fr' }, english ? doc[3] : doc[2]));
        var meta = doc[4] + (doc[5] ? ' · ' + text('replaces') + ' ' + doc[5] : '') + (doc[8] ? ' · ' + text('onkey') : '');
        item.appendChild(el('p', { 'class': 'meta' }, meta));
        list.appendChild(item);
      }
      var count = found.total === 0 ? text('none') : found.total === 1 ? text('one') : text('many', found.total);
      if (found.total > found.results.length) count += ' ' + text('shown', found.results.length);
      box.hidden = false;
      status.textContent = count;
    }

    function load() {
      if (loading) return;
      loading = true;
      if (global.DEMOKIT_SEARCH) { ready(); return; }
      var script = document.createElement('script');
      script.src = body.getAttribute('data-index');
      script.onload = ready;
      document.body.appendChild(script);
    }

    function ready() {
      index = new Index(global.DEMOKIT_SEARCH);
      body.setAttribute('data-search-ready', 'true');
      if (pending || active(state())) render();
    }

    form.addEventListener('submit', function (event) { event.preventDefault(); render(); });
    input.addEventListener('input', render);
    input.addEventListener('focus', load);
    for (var i = 0; i < FILTERS.length; i++) form.elements[FILTERS[i]].addEventListener('change', render);
    var clear = document.getElementById('recherche-effacer');
    if (clear) clear.addEventListener('click', function () {
      form.reset(); render(); input.focus();
    });
    readURL();
    if (active(state())) render();
  }

  function startPrint(document) {
    var buttons = document.querySelectorAll('[data-print]');
    for (var i = 0; i < buttons.length; i++) {
      buttons[i].hidden = false;
      buttons[i].addEventListener('click', function () { global.print(); });
    }
  }

  if (typeof document !== 'undefined') {
    var start = function () { startPage(document); startPrint(document); };
    if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start); else start();
  }

  var api = { fold: fold, tokens: tokens, decode: decode, Index: Index };
  if (typeof module !== 'undefined' && module.exports) module.exports = api;
  global.DemoKitSearch = api;
})(typeof window !== 'undefined' ? window : this);
