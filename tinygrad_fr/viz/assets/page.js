// The step-through page: draws the graph from the inline JSON, then replays the backward pass
// one node at a time. No network, no library: plain DOM and an SVG built as text.
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("trace-data").textContent);
  var words = data.words;
  var steps = data.steps;
  var current = 0;
  var LINE = 14;

  function esc(text) {
    return String(text).replace(/&/g, "&amp;").replace(/</g, "&lt;")
      .replace(/>/g, "&gt;").replace(/"/g, "&quot;");
  }
  function byId(id) { return document.getElementById(id); }

  var nodes = {};
  data.nodes.forEach(function (node) { nodes[node.key] = node; });

  function drawGraph() {
    var width = 0, height = 0, parts = [];
    data.nodes.forEach(function (n) {
      width = Math.max(width, n.x + n.w + 20);
      height = Math.max(height, n.y + n.h + 20);
    });
    data.edges.forEach(function (e) {
      var a = nodes[e.source], b = nodes[e.target];
      if (!a || !b) { return; }
      var x1 = a.x + a.w, y1 = a.y + a.h / 2, x2 = b.x - 7, y2 = b.y + b.h / 2;
      var bend = Math.max(30, (x2 - x1) / 2);
      parts.push('<path class="edge" id="edge-' + e.index + '" d="M' + x1 + "," + y1 +
        " C" + (x1 + bend) + "," + y1 + " " + (x2 - bend) + "," + y2 + " " + x2 + "," + y2 +
        '"/>');
      parts.push('<polygon class="head" id="head-' + e.index + '" points="' + x2 + "," +
        (y2 - 4) + " " + (x2 + 7) + "," + y2 + " " + x2 + "," + (y2 + 4) + '"/>');
    });
    data.nodes.forEach(function (n) {
      var cls = "node" + (n.root ? " root" : "");
      var text = n.lines.map(function (line, i) {
        var weight = i === 0 ? ' font-weight="bold"' : "";
        return '<tspan x="' + (n.x + 8) + '" y="' + (n.y + 16 + i * LINE) + '"' + weight +
          ">" + esc(line) + "</tspan>";
      }).join("");
      text += '<tspan class="grad" id="grad-' + n.key + '" x="' + (n.x + 8) + '" y="' +
        (n.y + 16 + n.lines.length * LINE) + '"></tspan>';
      parts.push('<g class="' + cls + '" id="node-' + n.key + '"><rect class="box" id="box-' +
        n.key + '" x="' + n.x + '" y="' + n.y + '" width="' + n.w + '" height="' + n.h +
        '" rx="6" fill="' + n.fill + '"/><text>' + text + "</text></g>");
    });
    byId("graph").innerHTML = '<svg width="' + width + '" height="' + height +
      '" viewBox="0 0 ' + width + " " + height + '">' + parts.join("") + "</svg>";
  }

  function gradientsUpTo(k) {
    var state = {}, order = [];
    function put(key, view) {
      if (!(key in state)) { order.push(key); }
      state[key] = view;
    }
    Object.keys(data.initial).forEach(function (key) { put(key, data.initial[key]); });
    for (var i = 0; i <= k && i < steps.length; i++) {
      Object.keys(steps[i].grads).forEach(function (key) { put(key, steps[i].grads[key]); });
    }
    return {state: state, order: order};
  }

  var names = {};
  data.nodes.forEach(function (n) {
    n.tensors.forEach(function (t) { names[t] = n.lines[n.kind === "op" ? 1 : 0]; });
  });

  function show(k) {
    var total = steps.length;
    current = Math.max(0, Math.min(k, total - 1));
    byId("step").textContent = total ? (current + 1) + " / " + total : "0 / 0";
    byId("prev").disabled = byId("first").disabled = current <= 0;
    byId("next").disabled = byId("last").disabled = current >= total - 1;
    var marked = document.querySelectorAll(".current, .receives, .active");
    Array.prototype.forEach.call(marked, function (el) {
      el.classList.remove("current", "receives", "active");
    });
    if (!total) { byId("detail").textContent = words.none; return; }
    var step = steps[current];
    var grads = gradientsUpTo(current);
    data.nodes.forEach(function (n) {
      var view = n.tensors.length ? grads.state[n.tensors[0]] : null;
      byId("grad-" + n.key).textContent = view ? "grad " + view[0] : "";
      if (n.fill !== "#eeeeee") { byId("box-" + n.key).setAttribute("fill", view ? view[1] : n.fill); }
    });
    var node = byId("node-" + step.node);
    if (node) {
      node.classList.add("current");
      if (node.scrollIntoView) { node.scrollIntoView({block: "nearest", inline: "nearest"}); }
    }
    var html = '<div class="muted">' + esc(words.step) + " " + step.number + "</div>" +
      "<h2>" + esc(step.op) + (step.module ? " [" + esc(step.module) + "]" : "") + " → " +
      esc(words.output) + " " + esc(step.output) + "</h2>" +
      '<div class="muted">' + esc(words.formula) + '</div><div class="formula">' +
      esc(step.formula) + "</div>" +
      "<div>" + esc(words.upstream) + ": <b>" + esc(step.upstream) + "</b></div>";
    step.edges.forEach(function (e) {
      var product = e.local ? e.upstream + " × " + e.local + " = " + e.contribution
        : e.contribution;
      html += "<div>" + esc(words.sends) + " <b>" + esc(e.input) + "</b> <span class=\"muted\">(" +
        esc(e.formula) + ')</span></div><div class="product">' + esc(product) + "</div>";
      var source = byId("node-" + e.source);
      if (source && e.source !== step.node) { source.classList.add("receives"); }
      if (e.edge >= 0) {
        byId("edge-" + e.edge).classList.add("active");
        byId("head-" + e.edge).classList.add("active");
      }
    });
    byId("detail").innerHTML = html;
    var rows = "<tr><td><b>" + esc(words.tensor) + "</b></td><td><b>" + esc(words.grad) +
      "</b></td></tr>";
    grads.order.forEach(function (key) {
      var fresh = key in step.grads ? ' class="fresh"' : "";
      rows += "<tr" + fresh + "><td>" + esc(names[key] || key) + "</td><td>" +
        esc(grads.state[key][0]) + "</td></tr>";
    });
    byId("so-far").innerHTML = rows;
  }

  function init() {
    ["first", "prev", "next", "last"].forEach(function (id) { byId(id).textContent = words[id === "prev" ? "previous" : id]; });
    byId("keys").textContent = words.keys;
    byId("so-far-title").textContent = words.so_far;
    byId("legend").textContent = data.legend;
    byId("note").textContent = data.note;
    drawGraph();
    byId("first").onclick = function () { show(0); };
    byId("prev").onclick = function () { show(current - 1); };
    byId("next").onclick = function () { show(current + 1); };
    byId("last").onclick = function () { show(steps.length - 1); };
    document.addEventListener("keydown", function (event) {
      if (event.key === "ArrowRight") { show(current + 1); }
      else if (event.key === "ArrowLeft") { show(current - 1); }
      else if (event.key === "Home") { show(0); }
      else if (event.key === "End") { show(steps.length - 1); }
    });
    show(0);
  }
  init();
})();
