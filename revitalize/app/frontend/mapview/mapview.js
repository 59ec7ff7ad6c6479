/* revitalize map view: a Streamlit component (v1 protocol, no build step) that keeps one Leaflet map mounted
 * across reruns. What does not change (municipal outlines, the explorer's point layers) is fetched once from
 * the app's static files (browser-cached, content-hashed names); each rerun sends only a small spec: which
 * layers, which rows of them, the choropleth classes and the extent. Layers whose signature did not change are
 * kept as they are, and the view is kept unless the spec's extent key changed (so a filter that keeps the
 * extent keeps the user's zoom).
 *
 * Text from data reaches the page only through textContent or esc(); source links only for http(s) URLs.
 */
(function () {
  'use strict';
  var map = null, tiles = null, tilesKey = null, poly = null, polyUrl = null, control = null, legend = null;
  var points = {};          // key -> {sig, layer, title}
  var jsonCache = {};       // url -> Promise
  var extentKey = null, choroKeys = '', activeChoro = null, spec = null, pending = 0;
  window.rvRenderSeq = 0;   // incremented after each spec is drawn (tests and benchmarks wait on it)
  window.rvLayers = {};

  function send(type, data) {
    var msg = {isStreamlitMessage: true, type: type};
    for (var k in (data || {})) { msg[k] = data[k]; }
    window.parent.postMessage(msg, '*');
  }
  function esc(s) { var d = document.createElement('div'); d.textContent = s == null ? '' : String(s); return d.innerHTML; }
  function safeUrl(u) { return /^https?:\/\//.test(u || '') ? u : null; }
  function fetchJson(url) {
    if (!jsonCache[url]) {
      jsonCache[url] = fetch(url).then(function (r) {
        if (!r.ok) { throw new Error(url + ': HTTP ' + r.status); }
        return r.json();
      });
    }
    return jsonCache[url];
  }
  function showError(text) {
    var box = document.querySelector('.rv-error');
    if (!box) { box = document.createElement('div'); box.className = 'rv-error'; document.body.appendChild(box); }
    box.textContent = text;
  }

  function init(s) {
    map = L.map('map', {preferCanvas: true, minZoom: 3, maxZoom: 18, zoomSnap: 0.25, zoomDelta: 0.5,
                        attributionControl: true});
    window.rvMap = map;
    L.control.scale({imperial: false}).addTo(map);
    legend = L.control({position: 'bottomright'});
    legend.onAdd = function () { this._div = L.DomUtil.create('div', 'rv-legend'); return this._div; };
    legend.addTo(map);
    map.on('baselayerchange', function (e) { if (e.layer._rvChoro !== undefined) { activeChoro = e.layer._rvChoro; restyle(); } });
    document.getElementById('map').setAttribute('aria-label', s.label || 'map');
  }

  function setTiles(s) {
    var key = s.tiles ? s.tiles.url : null;
    if (key === tilesKey) { return; }
    if (tiles) { map.removeLayer(tiles); tiles = null; }
    if (s.tiles) {
      tiles = L.tileLayer(s.tiles.url, {attribution: s.tiles.attribution, maxZoom: s.tiles.maxZoom}).addTo(map);
    }
    tilesKey = key;
  }

  function choro() {
    if (!spec || activeChoro == null) { return null; }
    for (var i = 0; i < spec.choropleths.length; i++) { if (spec.choropleths[i].key === activeChoro) { return spec.choropleths[i]; } }
    return null;
  }

  function styleFor(i) {
    var o = choro(), inScope = !spec.scope || spec.scopeSet[i], mine = spec.highlightSet && spec.highlightSet[i];
    var st;
    if (!o) {
      st = {color: '#555', weight: 0.5, fillColor: '#f4f1ea', fillOpacity: 0.9};
    } else {
      var c = o.cls.charAt(i);
      st = {color: '#666', weight: 0.4, fillColor: c === '-' || c === '' ? o.missing : o.colors[+c], fillOpacity: 0.8};
    }
    if (!inScope) { st = {color: '#999', weight: 0.3, fillColor: '#eeeeee', fillOpacity: 0.5}; }
    if (mine) { st.color = '#d9480f'; st.weight = 2.5; }
    return st;
  }

  function restyle() {
    if (poly) { poly.setStyle(function (f) { return styleFor(f.properties.i); }); }
    renderLegend();
  }

  function renderLegend() {
    var div = legend._div, o = choro();
    div.innerHTML = '';
    div.style.display = o ? '' : 'none';
    if (!o) { return; }
    var h = document.createElement('b'); h.textContent = o.title; div.appendChild(h);
    o.labels.forEach(function (lab, i) {
      var row = document.createElement('div');
      var sw = document.createElement('span'); sw.className = 'rv-swatch'; sw.style.background = o.colors[i];
      row.appendChild(sw); row.appendChild(document.createTextNode(lab)); div.appendChild(row);
    });
    var na = document.createElement('div');
    var sw2 = document.createElement('span'); sw2.className = 'rv-swatch'; sw2.style.background = o.missing;
    na.appendChild(sw2); na.appendChild(document.createTextNode(spec.text.missing)); div.appendChild(na);
    var cr = document.createElement('div'); cr.className = 'rv-credit'; cr.textContent = o.credit; div.appendChild(cr);
  }

  function polyPopup(i) {
    var f = poly._rvFeatures[i].properties, o = choro(), lang = spec.lang;
    var s = '<div class="rv-popup"><b>' + esc(f[lang] || f.ja) + '</b> <small>' + esc(f.c) + '</small>';
    if (o) {
      var v = o.text[i];
      s += '<br>' + esc(o.title) + ': ' + esc(v == null ? spec.text.missing : v);
      if (o.detail && o.detail[i]) { s += '<div class="rv-detail">' + esc(o.detail[i]) + '</div>'; }
    }
    if (spec.link) {
      s += '<br><a href="' + esc(spec.link.replace('{code}', encodeURIComponent(f.c))) +
           '" target="_blank" rel="noopener">' + esc(spec.text.link) + '</a>';
    }
    s += '<div class="rv-credit">' + esc(spec.outlines.credit) + '</div></div>';
    return s;
  }

  function setOutlines(s, fc) {
    if (polyUrl === s.outlines.url) { return; }
    if (poly) { map.removeLayer(poly); }
    var feats = fc.features;
    feats.forEach(function (f, i) { f.properties.i = i; });
    poly = L.geoJSON(fc, {
      style: function (f) { return styleFor(f.properties.i); },
      onEachFeature: function (f, layer) {
        layer.bindPopup(function () { return polyPopup(f.properties.i); });
        layer.bindTooltip(function () { return esc(f.properties[spec.lang] || f.properties.ja); }, {sticky: true});
      }
    });
    poly._rvFeatures = feats;
    poly.addTo(map);
    poly.bringToBack();
    polyUrl = s.outlines.url;
  }

  function buildPoints(p, d) {
    var idx = p.idx;
    var n = idx ? idx.length : d.lat.length;
    var group = p.cluster ? L.markerClusterGroup({chunkedLoading: true, showCoverageOnHover: false, maxClusterRadius: 45,
      iconCreateFunction: function (c) {
        return L.divIcon({html: '<div style="background:' + d.color + '">' + c.getChildCount() + '</div>',
                          className: 'rv-cluster', iconSize: L.point(30, 30)});
      }}) : L.featureGroup();
    var icon = L.divIcon({className: 'rv-dot', iconSize: [12, 12], html: '<div style="background:' + d.color + '"></div>'});
    var markers = [];
    for (var k = 0; k < n; k++) {
      var i = idx ? idx[k] : k;
      var mk = L.marker([d.lat[i], d.lon[i]], {icon: icon, title: d.title ? String(d.title[i] == null ? '' : d.title[i]) : '',
                                               alt: d.name});
      mk._rvI = i;
      mk.bindPopup(function (layer) {
        var j = layer._rvI;
        var s = '<div class="rv-popup"><div style="color:' + d.color + '">' + esc(d.name) + '</div>';
        if (d.title) { s += '<b>' + esc(d.title[j]) + '</b>'; }
        d.fields.forEach(function (f) { var v = d.values[f][j]; if (v != null && v !== '') { s += '<br>' + esc(f) + ': ' + esc(v); } });
        var u = d.url ? safeUrl(d.url[j]) : null;
        if (u) { s += '<br><a href="' + esc(u) + '" target="_blank" rel="noopener">' + esc(spec.text.source) + '</a>'; }
        s += '<div class="rv-credit">' + esc(d.credit) + '</div></div>';
        return s;
      });
      markers.push(mk);
    }
    if (p.cluster) { group.addLayers(markers); } else { markers.forEach(function (m) { group.addLayer(m); }); }
    group._rvCount = n;
    return group;
  }

  function setPoints(s, sources) {
    var seen = {};
    s.points.forEach(function (p) {
      seen[p.key] = true;
      var old = points[p.key];
      if (old && old.sig === p.sig) { return; }   // unchanged: keep it (and whether the user hid it)
      var d = p.src ? sources[p.src].layers[p.layer || p.key] : p.data;
      var wasOn = old ? map.hasLayer(old.layer) : p.show;
      if (old) { map.removeLayer(old.layer); }
      var layer = buildPoints(p, d);
      if (wasOn) { layer.addTo(map); }
      points[p.key] = {sig: p.sig, layer: layer, title: d.name};
    });
    Object.keys(points).forEach(function (k) {
      if (!seen[k]) { map.removeLayer(points[k].layer); delete points[k]; }
    });
  }

  function setControl(s) {
    var keys = s.choropleths.map(function (o) { return o.key; }).join(',');
    if (keys !== choroKeys || activeChoro === null && s.active) {
      activeChoro = s.active;          // the sidebar changed the set: show the one it asks for
      choroKeys = keys;
    }
    if (control) { map.removeControl(control); }
    var bases = {}, overlays = {};
    var none = L.layerGroup(); none._rvChoro = null;
    bases[esc(s.text.outlines)] = none;
    var chosen = none;
    s.choropleths.forEach(function (o) {
      var g = L.layerGroup(); g._rvChoro = o.key;
      bases[esc(o.title)] = g;
      if (o.key === activeChoro) { chosen = g; }
    });
    if (chosen === none) { activeChoro = null; }
    map.addLayer(chosen);
    Object.keys(bases).forEach(function (k) { if (bases[k] !== chosen && map.hasLayer(bases[k])) { map.removeLayer(bases[k]); } });
    window.rvLayers = {};
    s.points.forEach(function (p) { var e = points[p.key]; overlays[esc(e.title)] = e.layer; window.rvLayers[e.title] = e.layer; });
    if (poly) { window.rvLayers[s.text.outlines] = poly; }
    control = L.control.layers(bases, overlays, {collapsed: !!s.collapsed, position: 'topright'}).addTo(map);
  }

  function setExtent(s) {
    if (s.extentKey === extentKey) { return; }
    extentKey = s.extentKey;
    if (s.fit) { map.fitBounds(s.fit, {animate: false, padding: [8, 8]}); }
    else { map.setView([36.5, 137.5], 5, {animate: false}); }
  }

  function apply(s, fc, sources) {
    spec = s;
    s.scopeSet = null; s.highlightSet = null;
    if (s.scope || s.highlight) {
      var at = {};
      fc.features.forEach(function (f, i) { at[f.properties.c] = i; });
      if (s.scope) { s.scopeSet = {}; s.scope.forEach(function (c) { if (at[c] !== undefined) { s.scopeSet[at[c]] = true; } }); }
      if (s.highlight) { s.highlightSet = {}; s.highlight.forEach(function (c) { if (at[c] !== undefined) { s.highlightSet[at[c]] = true; } }); }
    }
    setTiles(s);
    setOutlines(s, fc);
    setPoints(s, sources);
    setControl(s);
    restyle();
    setExtent(s);
    window.rvDrawMs = performance.now() - window.rvReceivedAt;  // spec received → drawn (benchmarks)
    window.rvRenderSeq += 1;
    document.body.setAttribute('data-rv-render', String(window.rvRenderSeq));
  }

  function render(s) {
    var token = ++pending;
    if (!map) { init(s); }
    var urls = [];
    s.points.forEach(function (p) { if (p.src && urls.indexOf(p.src) < 0) { urls.push(p.src); } });
    var wanted = [s.outlines.data ? Promise.resolve(s.outlines.data) : fetchJson(s.outlines.url)]
      .concat(urls.map(function (u) { return fetchJson(u); }));
    Promise.all(wanted).then(function (res) {
      if (token !== pending) { return; }    // a newer spec arrived meanwhile
      var sources = {};
      urls.forEach(function (u, i) { sources[u] = res[i + 1]; });
      apply(s, res[0], sources);
    }).catch(function (err) { showError(String(err)); });
  }

  window.addEventListener('message', function (ev) {
    var d = ev.data;
    if (!d || d.type !== 'streamlit:render') { return; }
    window.rvReceivedAt = performance.now();
    var s = JSON.parse(d.args.spec);
    send('streamlit:setFrameHeight', {height: d.args.height});
    document.getElementById('map').style.height = d.args.height + 'px';
    render(s);
  });
  send('streamlit:componentReady', {apiVersion: 1});
})();
