// The seizure map: country outlines (Natural Earth via world-atlas, served by Astara), no tiles,
// and seizure events grouped by place, clustered. Everything it loads comes from this server.
(function () {
  "use strict";
  var box = document.getElementById("map");
  if (!box) { return; }
  var d = box.dataset;
  // No tile layer gives the map its zoom range, and clustering needs one.
  var map = L.map(box, { zoomSnap: 0.5, worldCopyJump: true, minZoom: 2, maxZoom: 14 });
  map.attributionControl.setPrefix(false);
  map.attributionControl.addAttribution(d.attribution);
  map.setView([39.5, 48.0], 5);

  function number(value) {
    return Number(value).toLocaleString(d.locale, { maximumFractionDigits: value < 10 ? 3 : 1 });
  }

  // world-atlas keeps the outlines that cross the antimeridian (Russia, Fiji, Antarctica) whole, for
  // drawing on a sphere; on a flat map their edge from +180 to -180 would run across the world.
  // Each ring's longitudes are made continuous instead (180.5, not -179.5), and a ring around a
  // pole is closed along it.
  function continuous(ring) {
    var out = [], shift = 0, previous = null;
    ring.forEach(function (point) {
      var lon = point[0] + shift;
      if (previous !== null && Math.abs(lon - previous) > 180) {
        var turn = lon > previous ? -360 : 360;
        shift += turn;
        lon += turn;
      }
      out.push([lon, point[1]]);
      previous = lon;
    });
    var first = out[0], last = out[out.length - 1];
    if (out.length && Math.abs(last[0] - first[0]) > 180) {
      var pole = out.reduce(function (sum, p) { return sum + p[1]; }, 0) < 0 ? -90 : 90;
      out.push([last[0], pole], [first[0], pole], first);
    }
    return out;
  }
  function unwrapped(geometry) {
    if (geometry && geometry.type === "Polygon") {
      geometry.coordinates = geometry.coordinates.map(continuous);
    } else if (geometry && geometry.type === "MultiPolygon") {
      geometry.coordinates = geometry.coordinates.map(function (polygon) { return polygon.map(continuous); });
    }
  }

  fetch(d.outlines, { credentials: "same-origin" })
    .then(function (r) { return r.json(); })
    .then(function (topology) {
      var countries = topojson.feature(topology, topology.objects.countries);
      countries.features.forEach(function (f) { unwrapped(f.geometry); });
      L.geoJSON(countries, {
        style: { color: "#8aa1b8", weight: 0.8, fillColor: "#eef2f6", fillOpacity: 1, className: "outline" },
        interactive: false
      }).addTo(map).bringToBack();
      box.setAttribute("data-outlines", "drawn");
    });

  // Hotspot (H3 hexagons shaded by events) and route-flow (lines between countries, width by
  // events) layers, switched on from the layer control; fetched when first shown.
  function lazyLayer(url, draw) {
    var group = L.featureGroup(), loaded = false;
    group.on("add", function () {
      if (loaded || !url) { return; }
      loaded = true;
      fetch(url, { credentials: "same-origin" })
        .then(function (r) { return r.json(); })
        .then(function (data) { draw(group, data); });
    });
    return group;
  }
  function addLayers(clusters) {
    var hotspots = lazyLayer(d.hotspots, function (group, data) {
      var top = Math.max.apply(null, data.features.map(function (f) { return f.properties.events; }).concat([1]));
      L.geoJSON(data, {
        style: function (f) {
          return { color: "#7a1f1f", weight: 0.6, fillColor: "#c0392b",
            fillOpacity: 0.15 + 0.6 * f.properties.events / top };
        },
        pointToLayer: function (f, ll) { return L.circleMarker(ll, { radius: 6 }); },
        onEachFeature: function (f, layer) {
          layer.bindTooltip(d.eventsLabel.replace("{count}", number(f.properties.events)) + " · " +
            d.kgLabel.replace("{kg}", number(f.properties.kg)) + " · " + f.properties.share);
        }
      }).addTo(group);
    });
    var routes = lazyLayer(d.routes, function (group, data) {
      var top = Math.max.apply(null, data.features.map(function (f) { return f.properties.events; }).concat([1]));
      L.geoJSON(data, {
        style: function (f) {
          return { color: f.properties.stage.indexOf("destination") >= 0 ? "#1f5f8b" : "#8b5a1f",
            weight: 1.5 + 10 * f.properties.events / top, opacity: 0.75 };
        },
        onEachFeature: function (f, layer) {
          var p = f.properties;
          // the arrow points the way the page reads; each name isolated so its own script keeps its order
          var arrow = document.documentElement.dir === "rtl" ? " ← " : " → ";
          layer.bindTooltip("\u2068" + p.source + "\u2069" + arrow + "\u2068" + p.target + "\u2069: " +
            d.eventsLabel.replace("{count}", number(p.events)));
        }
      }).addTo(group);
    });
    var overlays = {};
    overlays[d.layerEvents] = clusters;
    overlays[d.layerHotspots] = hotspots;
    overlays[d.layerRoutes] = routes;
    L.control.layers(null, overlays, { collapsed: false }).addTo(map);
  }

  fetch(d.points, { credentials: "same-origin" })
    .then(function (r) {
      if (!r.ok) { throw new Error(r.status + " " + r.statusText); }
      return r.json();
    })
    .then(function (data) {
      var clusters = L.markerClusterGroup({
        showCoverageOnHover: false,
        iconCreateFunction: function (cluster) {
          var total = 0;
          cluster.getAllChildMarkers().forEach(function (m) { total += m.options.events; });
          var size = total < 10 ? "small" : total < 100 ? "medium" : "large";
          return L.divIcon({ html: "<div><span>" + number(total) + "</span></div>",
            className: "marker-cluster marker-cluster-" + size, iconSize: L.point(40, 40) });
        }
      });
      var bounds = [];
      data.features.forEach(function (f) {
        var p = f.properties, ll = [f.geometry.coordinates[1], f.geometry.coordinates[0]];
        var marker = L.circleMarker(ll, {
          radius: 5 + Math.min(18, Math.sqrt(p.events) * 2), color: "#7a1f1f", weight: 1,
          fillColor: "#c0392b", fillOpacity: 0.7, events: p.events
        });
        var popup = document.createElement("div");
        var title = document.createElement("strong");
        title.textContent = p.name || p.place_id || "?";
        var line = document.createElement("div");
        line.textContent = d.eventsLabel.replace("{count}", number(p.events)) + " · " +
          d.kgLabel.replace("{kg}", number(p.kg));
        popup.appendChild(title);
        popup.appendChild(line);
        if (p.place_id) {
          var link = document.createElement("a");
          var query = new URLSearchParams(d.filters);
          query.set("place", p.place_id);
          link.href = "/?" + query.toString();
          link.textContent = d.listLabel;
          popup.appendChild(link);
        }
        marker.bindPopup(popup);
        marker.bindTooltip(title.textContent);
        clusters.addLayer(marker);
        bounds.push(ll);
      });
      map.addLayer(clusters);
      addLayers(clusters);
      if (bounds.length) { map.fitBounds(bounds, { maxZoom: 7, padding: [30, 30], animate: false }); }
      var status = document.getElementById("map-status");
      status.textContent = d.summaryLabel
        .replace("{located}", number(data.located)).replace("{places}", number(data.features.length))
        .replace("{unlocated}", number(data.unlocated));
      box.setAttribute("data-loaded", "true");
    })
    .catch(function (error) {
      document.getElementById("map-status").textContent = d.errorLabel + " (" + (error && error.message || error) + ")";
    });
})();
