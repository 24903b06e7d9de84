// The network view: entities linked through shared seizure events (vis-network, served by Astara).
(function () {
  "use strict";
  var box = document.getElementById("network");
  if (!box) { return; }
  var status = document.getElementById("network-status");
  var shapes = { event: "dot", person: "ellipse", vehicle: "box", organization: "diamond", phone: "triangle", document: "square" };
  fetch(box.dataset.source, { credentials: "same-origin" })
    .then(function (r) { if (!r.ok) { throw new Error(r.status + " " + r.statusText); } return r.json(); })
    .then(function (data) {
      if (!data.nodes.length) { status.textContent = box.dataset.empty; return; }
      var nodes = new vis.DataSet(data.nodes.map(function (n) {
        return { id: n.id, label: n.label, shape: shapes[n.kind] || "dot",
                 group: n.community === null ? n.kind : "c" + n.community,
                 value: n.kind === "event" ? 1 : n.events, title: n.kind + ": " + n.label };
      }));
      var edges = new vis.DataSet(data.edges.map(function (e, i) {
        return { id: i, from: e.source, to: e.target, label: e.kind === "role" ? e.label : "",
                 dashes: e.kind === "shared", value: e.weight };
      }));
      var network = new vis.Network(box, { nodes: nodes, edges: edges }, {
        physics: { stabilization: { iterations: 200 } },
        interaction: { keyboard: true, navigationButtons: true },
        nodes: { scaling: { min: 8, max: 30 } }, edges: { smooth: false, font: { size: 10 } }
      });
      network.on("doubleClick", function (params) {
        var id = params.nodes[0];
        if (id && id.indexOf("event:") === 0) { window.location = "/seizures/" + id.slice(6); }
      });
      status.textContent = box.dataset.summary
        .replace("{entities}", data.nodes.filter(function (n) { return n.kind !== "event"; }).length)
        .replace("{events}", data.events).replace("{communities}", data.communities.length);
      box.setAttribute("data-loaded", "true");
    })
    .catch(function (error) { status.textContent = box.dataset.error + " (" + (error && error.message || error) + ")"; });
})();
