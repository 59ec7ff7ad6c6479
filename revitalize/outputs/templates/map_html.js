/* revitalize exported map (outputs/map_html.py): the shared functions the folium elements call.
 * Same drawing rules as the app's map view (app/frontend/mapview): text from data reaches the page only
 * through textContent or esc(); source links only for http(s) URLs. Nothing is fetched.
 */
(function () {
  'use strict';
  var rv = window.rv = {layers: {}, counts: {}};

  function esc(s) { var d = document.createElement('div'); d.textContent = s == null ? '' : String(s); return d.innerHTML; }
  function safeUrl(u) { return /^https?:\/\//.test(u || '') ? u : null; }
  rv.esc = esc;

  /* A point layer from the columnar payload of maps.point_payload (rows ``idx``, all when null). */
  rv.points = function (d, idx, opts) {
    var n = idx ? idx.length : d.lat.length;
    var group = opts.cluster ? L.markerClusterGroup({chunkedLoading: true, showCoverageOnHover: false,
      maxClusterRadius: 45,
      iconCreateFunction: function (c) {
        return L.divIcon({html: '<div style="background:' + d.color + '">' + c.getChildCount() + '</div>',
                          className: 'rv-cluster', iconSize: L.point(30, 30)});
      }}) : L.featureGroup();
    var icon = L.divIcon({className: 'rv-dot', iconSize: [12, 12], html: '<div style="background:' + d.color + '"></div>'});
    var markers = [];
    for (var k = 0; k < n; k++) {
      var i = idx ? idx[k] : k;
      var mk = L.marker([d.lat[i], d.lon[i]], {icon: icon, alt: d.name,
        title: d.title ? String(d.title[i] == null ? '' : d.title[i]) : ''});
      mk._rvI = i;
      mk.bindPopup(function (layer) {
        var j = layer._rvI;
        var s = '<div class="rv-popup"><div style="color:' + d.color + '">' + esc(d.name) + '</div>';
        if (d.title) { s += '<b>' + esc(d.title[j]) + '</b>'; }
        d.fields.forEach(function (f) { var v = d.values[f][j]; if (v != null && v !== '') { s += '<br>' + esc(f) + ': ' + esc(v); } });
        var u = d.url ? safeUrl(d.url[j]) : null;
        if (u) { s += '<br><a href="' + esc(u) + '" target="_blank" rel="noopener">' + esc(opts.text.source) + '</a>'; }
        if (d.credit) { s += '<div class="rv-credit">' + esc(d.credit) + '</div>'; }
        return s + '</div>';
      });
      markers.push(mk);
    }
    if (opts.cluster) { group.addLayers(markers); } else { markers.forEach(function (m) { group.addLayer(m); }); }
    rv.layers[d.name] = group;
    rv.counts[d.name] = n;
    return group;
  };

  /* The municipal outlines, coloured by the active choropleth (switched with the layer control's radio
   * buttons), dimmed outside the scope, the subject outlined; a legend for the active choropleth. */
  rv.outlines = function (map, fc, s) {
    var active = s.active, byKey = {};
    s.choropleths.forEach(function (o) { byKey[o.key] = o; });
    var at = {}, scope = null, mine = null;
    fc.features.forEach(function (f, i) { f.properties.i = i; at[f.properties.c] = i; });
    if (s.scope) { scope = {}; s.scope.forEach(function (c) { if (at[c] !== undefined) { scope[at[c]] = true; } }); }
    if (s.highlight) { mine = {}; s.highlight.forEach(function (c) { if (at[c] !== undefined) { mine[at[c]] = true; } }); }

    function styleFor(i) {
      var o = byKey[active], st;
      if (!o) {
        st = {color: '#555', weight: 0.5, fillColor: '#f4f1ea', fillOpacity: 0.9};
      } else {
        var c = o.cls.charAt(i);
        st = {color: '#666', weight: 0.4, fillColor: c === '-' || c === '' ? o.missing : o.colors[+c], fillOpacity: 0.8};
      }
      if (scope && !scope[i]) { st = {color: '#999', weight: 0.3, fillColor: '#eeeeee', fillOpacity: 0.5}; }
      if (mine && mine[i]) { st.color = '#d9480f'; st.weight = 2.5; }
      return st;
    }
    function popup(i) {
      var f = fc.features[i].properties, o = byKey[active];
      var h = '<div class="rv-popup"><b>' + esc(f[s.lang] || f.ja) + '</b> <small>' + esc(f.c) + '</small>';
      if (o) {
        var v = o.text[i];
        h += '<br>' + esc(o.title) + ': ' + esc(v == null ? s.text.missing : v);
        if (o.detail && o.detail[i]) { h += '<div class="rv-detail">' + esc(o.detail[i]) + '</div>'; }
        h += '<div class="rv-credit">' + esc(o.credit) + '</div>';
      }
      return h + '<div class="rv-credit">' + esc(s.outlines.credit) + '</div></div>';
    }
    map.getContainer().setAttribute('role', 'region');
    map.getContainer().setAttribute('aria-label', s.label);
    L.control.scale({imperial: false}).addTo(map);
    var poly = L.geoJSON(fc, {
      style: function (f) { return styleFor(f.properties.i); },
      onEachFeature: function (f, layer) {
        layer.bindPopup(function () { return popup(f.properties.i); });
        layer.bindTooltip(function () { return esc(f.properties[s.lang] || f.properties.ja); }, {sticky: true});
      }
    }).addTo(map);
    poly.bringToBack();
    rv.layers[s.text.outlines] = poly;
    rv.counts[s.text.outlines] = fc.features.length;

    var legend = L.control({position: 'bottomright'});
    legend.onAdd = function () { this._div = L.DomUtil.create('div', 'rv-legend'); return this._div; };
    legend.addTo(map);
    function render() {
      var div = legend._div, o = byKey[active];
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
      na.appendChild(sw2); na.appendChild(document.createTextNode(s.text.missing)); div.appendChild(na);
      var cr = document.createElement('div'); cr.className = 'rv-credit'; cr.textContent = o.credit; div.appendChild(cr);
    }
    map.on('baselayerchange', function (e) {
      if (e.layer._rvChoro !== undefined) {
        active = e.layer._rvChoro;
        poly.setStyle(function (f) { return styleFor(f.properties.i); });
        render();
      }
    });
    render();
    rv.map = map;
    rv.active = function () { return active; };
    return poly;
  };
})();
