// The shiftwatch dashboard: polls the service's read API and draws what it answers.
//
// Read-only, no library, no build step, no request outside the page's own server. Every
// number drawn is also in a data-* attribute, written as JavaScript prints a number (the
// shortest text that reads back as the same double), so a reader takes the values back
// exactly. Every name that comes from the server is set as text or as an attribute, never
// parsed as HTML. Query parameters: ?refresh=SECONDS (default 5), ?model=NAME.
"use strict";

(function () {
  const SVG = "http://www.w3.org/2000/svg";
  const TOKEN_KEY = "shiftwatch.token";
  const HISTORY_LIMIT = 500;
  const ALERT_LIMIT = 100;
  const PALETTE = [
    "#4c78a8", "#f58518", "#54a24b", "#b279a2", "#2a9d8f",
    "#72b7b2", "#9d755d", "#d4a82a", "#6b6ecf", "#79706e",
  ];
  const OUTPUTS = {
    confidence: "the model's confidence (its top-class probability)",
    prediction: "the model's predicted class",
  };
  // the outputs recorded at each check (the history's "outputs"): key, label, colour, dashed
  const OUTPUT_LINES = [
    ["mean_confidence", "mean confidence of the window", "#4c78a8", false],
    ["estimated_accuracy", "estimated accuracy (label-free)", "#54a24b", false],
    ["accuracy_low", "estimated accuracy, low end of the 95% interval", "#54a24b", true],
    ["accuracy_high", "estimated accuracy, high end of the 95% interval", "#54a24b", true],
  ];
  const params = new URLSearchParams(window.location.search);
  const REFRESH_SECONDS = refreshSeconds(params.get("refresh"));

  const view = {
    model: params.get("model"),
    feature: null,
    generation: 0,
    timer: null,
    refreshes: 0,
    data: null,
    memoryToken: null,
  };

  // ---- small helpers ------------------------------------------------------------------

  function refreshSeconds(text) {
    const value = Number(text);
    if (text === null || !Number.isFinite(value) || value <= 0) return 5;
    return Math.min(Math.max(value, 0.25), 3600);
  }

  function build(element, attributes, children) {
    for (const [key, value] of Object.entries(attributes || {})) {
      if (value === null || value === undefined || value === false) continue;
      element.setAttribute(key, value === true ? "" : String(value));
    }
    for (const child of children) {
      if (child === null || child === undefined || child === false) continue;
      element.append(child instanceof Node ? child : String(child)); // strings become text
    }
    return element;
  }

  function h(tag, attributes, ...children) {
    return build(document.createElement(tag), attributes, children);
  }

  function s(tag, attributes, ...children) {
    return build(document.createElementNS(SVG, tag), attributes, children);
  }

  function byId(id) {
    return document.getElementById(id);
  }

  // Math.min(...xs) overflows the call stack on long arrays: these do not.
  function smallest(values, start) {
    return values.reduce((low, value) => (value < low ? value : low), start);
  }

  function largest(values, start) {
    return values.reduce((high, value) => (value > high ? value : high), start);
  }

  function sum(values) {
    return values.reduce((total, value) => total + value, 0);
  }

  function numberAttr(value) {
    return value === null || value === undefined ? "" : String(value);
  }

  function fmt(value, digits) {
    if (value === null || value === undefined) return "—";
    if (value === 0) return "0";
    const size = Math.abs(value);
    if (size >= 1e-3 && size < 1e6) return String(Number(value.toPrecision(digits || 3)));
    return value.toExponential((digits || 3) - 1).replace("e+", "e");
  }

  function count(value) {
    return Number(value).toLocaleString("en-US");
  }

  function percent(share) {
    return `${(100 * share).toFixed(1)}%`;
  }

  const clock = new Intl.DateTimeFormat("en-GB", {
    hour: "2-digit", minute: "2-digit", second: "2-digit", hour12: false,
  });
  const dated = new Intl.DateTimeFormat("en-GB", {
    day: "numeric", month: "short", hour: "2-digit", minute: "2-digit", hour12: false,
  });

  function when(seconds, span = 60) {
    // a time on an axis spanning ``span`` seconds: finer the shorter the span
    const date = new Date(seconds * 1000);
    if (span >= 2 * 86400) return dated.format(date);
    const text = clock.format(date);
    const digits = span < 2 ? 2 : span < 20 ? 1 : 0;
    if (!digits) return text;
    const fraction = Math.floor((seconds % 1) * 10 ** digits);
    return `${text}.${String(fraction).padStart(digits, "0")}`;
  }

  function ago(seconds) {
    const gap = Math.max(0, Date.now() / 1000 - seconds);
    if (gap < 5) return "just now";
    if (gap < 120) return `${Math.round(gap)} s ago`;
    if (gap < 7200) return `${Math.round(gap / 60)} min ago`;
    if (gap < 172800) return `${Math.round(gap / 3600)} h ago`;
    return `${Math.round(gap / 86400)} days ago`;
  }

  function describe(column) {
    return OUTPUTS[column] ? `${column} (${OUTPUTS[column]})` : column;
  }

  // ---- the token ----------------------------------------------------------------------

  function readToken() {
    try {
      return window.sessionStorage.getItem(TOKEN_KEY) || "";
    } catch (ignored) {
      return view.memoryToken || "";
    }
  }

  function keepToken(token) {
    try {
      if (token) window.sessionStorage.setItem(TOKEN_KEY, token);
      else window.sessionStorage.removeItem(TOKEN_KEY);
    } catch (ignored) {
      view.memoryToken = token; // storage refused (a private mode): this page only
    }
  }

  // ---- the API ------------------------------------------------------------------------

  class ApiError extends Error {
    constructor(status, message) {
      super(message);
      this.status = status;
    }
  }

  async function api(path, optional) {
    const headers = { Accept: "application/json" };
    const token = readToken();
    if (token) headers.Authorization = `Bearer ${token}`;
    let response;
    try {
      response = await fetch(path, { headers, cache: "no-store", credentials: "omit" });
    } catch (error) {
      throw new ApiError(0, "The server cannot be reached.");
    }
    if (optional && response.status === 404) return null;
    if (!response.ok) {
      let message = `HTTP ${response.status}`;
      try {
        const body = await response.json();
        if (body && body.error && body.error.message) message = body.error.message;
      } catch (ignored) {
        // not the service's error shape: keep the status
      }
      throw new ApiError(response.status, message);
    }
    try {
      return await response.json();
    } catch (error) {
      throw new ApiError(response.status, `${path} did not answer JSON.`);
    }
  }

  async function load() {
    const models = await api("v1/models");
    const names = models.map((model) => model.name);
    if (!names.includes(view.model)) {
      const drifting = models.find((model) => model.state === "drifting");
      view.model = drifting ? drifting.name : names.length ? names[0] : null;
    }
    if (view.model === null) return { models, detail: null };
    const status = models.find((model) => model.name === view.model);
    const base = `v1/models/${encodeURIComponent(view.model)}`;
    const checked = Object.keys(status.last_check).length > 0;
    const [history, alerts, violations, report] = await Promise.all([
      api(`${base}/history?limit=${HISTORY_LIMIT}`),
      api(`${base}/alerts?limit=${ALERT_LIMIT}`),
      api(`${base}/violations`),
      checked ? api(`${base}/report`, true) : Promise.resolve(null),
    ]);
    return { models, detail: { status, history, alerts, violations, report } };
  }

  async function refresh() {
    const generation = ++view.generation;
    window.clearTimeout(view.timer);
    let again = true;
    if (!document.hidden) { // a hidden tab waits for visibilitychange
      try {
        const data = await load();
        if (generation !== view.generation) return; // a newer refresh is under way
        view.data = data;
        showMessage(null);
        render();
        view.refreshes += 1;
        showUpdated(true);
      } catch (error) {
        if (generation !== view.generation) return;
        if (!(error instanceof ApiError)) { // a bug of this page: the console shows it
          showMessage(`The page failed to draw the answer: ${error}`, "error");
          view.timer = window.setTimeout(refresh, REFRESH_SECONDS * 1000);
          throw error;
        }
        showProblem(error);
        again = error.status !== 401 && error.status !== 403; // until a token is given
      }
    }
    if (again) view.timer = window.setTimeout(refresh, REFRESH_SECONDS * 1000);
  }

  // ---- messages -----------------------------------------------------------------------

  function showMessage(text, kind) {
    const message = byId("message");
    message.hidden = text === null;
    message.className = `message ${kind || ""}`;
    message.dataset.kind = kind || "";
    message.textContent = text || "";
  }

  function showUpdated(ok) {
    const updated = byId("updated");
    updated.dataset.refreshes = String(view.refreshes);
    updated.classList.toggle("stale", !ok);
    const last = ok ? `Updated ${clock.format(new Date())}` : updated.dataset.last || "Not loaded";
    if (ok) updated.dataset.last = last;
    updated.textContent = `${last} · every ${REFRESH_SECONDS} s`;
  }

  function showProblem(error) {
    const status = error instanceof ApiError ? error.status : -1;
    const token = readToken();
    if (status === 401 || status === 403) {
      byId("model").hidden = true;
      byId("models").hidden = true;
      view.data = null;
      const text =
        status === 401
          ? "This server needs a read token to show its models: enter it above and press Use."
          : "The token given is refused for reads (403): enter a read, write or admin token above.";
      showMessage(token && status === 401 ? `${text} (the token given was not accepted)` : text,
        status === 401 ? "auth" : "forbidden");
      byId("token").focus();
    } else if (status === 0) {
      showMessage("The server cannot be reached; the page retries and keeps the last data.",
        "offline");
    } else {
      showMessage(`The server answered: ${error.message}`, "error");
    }
    showUpdated(false);
  }

  // ---- rendering: the models ----------------------------------------------------------

  function render() {
    const { models, detail } = view.data;
    renderModels(models);
    const main = byId("model");
    if (detail === null) {
      main.hidden = true;
      showMessage("This server watches no model yet.", "info");
      return;
    }
    main.hidden = false;
    const columns = columnsOf(detail);
    if (!columns.includes(view.feature)) view.feature = defaultFeature(detail, columns);
    renderState(detail);
    renderFeatures(detail, columns);
    renderSeries(detail, columns);
    renderDistribution(detail, columns);
    renderAlerts(detail.alerts);
    renderViolations(detail.violations);
    renderColumns(detail);
    document.title = `${detail.status.state === "drifting" ? "DRIFTING" : "ok"} · ${
      detail.status.name} · shiftwatch`;
  }

  function renderModels(models) {
    const nav = byId("models");
    nav.hidden = models.length === 0;
    nav.replaceChildren(
      ...models.map((model) => {
        const button = h(
          "button",
          {
            type: "button",
            class: `model-tab ${model.state}`,
            "data-model": model.name,
            "data-state": model.state,
            "aria-current": model.name === view.model ? "page" : null,
          },
          h("span", { class: "dot" }),
          h("span", { class: "name" }, model.name),
          h("span", { class: "tab-state" }, model.state),
        );
        button.addEventListener("click", () => {
          if (view.model === model.name) return;
          view.model = model.name;
          view.feature = null;
          const url = new URL(window.location.href);
          url.searchParams.set("model", model.name);
          window.history.replaceState(null, "", url);
          refresh();
        });
        return button;
      }),
    );
  }

  function columnsOf(detail) {
    const names = Object.keys(detail.status.last_check);
    for (const check of detail.history) {
      for (const name of Object.keys(check.columns)) if (!names.includes(name)) names.push(name);
    }
    return names;
  }

  function defaultFeature(detail, columns) {
    const drifted = detail.status.drifted_columns.filter((name) => name !== "prediction");
    if (drifted.length) return drifted[0];
    let best = null;
    for (const name of columns) {
      const score = (detail.status.last_check[name] || {}).drift_score;
      if (score !== null && score !== undefined && (best === null || score > best[1])) {
        best = [name, score];
      }
    }
    return best ? best[0] : columns.length ? columns[0] : null;
  }

  function selectFeature(name) {
    view.feature = name;
    if (view.data) render();
  }

  function renderState(detail) {
    const { status, history } = detail;
    const section = byId("state");
    section.dataset.state = status.state;
    section.dataset.model = status.name;
    section.classList.toggle("drifting", status.state === "drifting");
    byId("model-name").textContent = status.name;
    const verdict = byId("verdict");
    verdict.textContent = status.state === "drifting" ? "drifting" : "ok";
    verdict.className = `verdict ${status.state}`;
    const last = history.length ? history[history.length - 1] : null;
    const checked = Object.keys(status.last_check).length > 0;
    let why;
    if (!checked) why = "No window check yet: the first comes once enough rows have arrived.";
    else if (status.drifted_columns.length) {
      why = `Drifted at the last check: ${status.drifted_columns.join(", ")}.`;
    } else if (status.state === "drifting") {
      why = "The alarm stands: it resolves once a check finds the window clean.";
    } else why = "No column drifted at the last check.";
    byId("state-why").textContent = why;
    const facts = [
      ["window", `${count(status.window_rows)} rows`],
      ["stored", `${count(status.stored_rows)} rows`],
      ["checks shown", count(history.length)],
      ["last check", last ? `${when(last.at)} (${ago(last.at)})` : "—"],
      ["drifted columns", `${status.drifted_columns.length} of ${
        Object.keys(status.last_check).length}`],
    ];
    const accuracy = status.estimated_accuracy;
    if (accuracy && accuracy.reliable) {
      facts.push(["estimated accuracy", `${fmt(accuracy.value, 3)} (95%: ${
        fmt(accuracy.low, 3)}–${fmt(accuracy.high, 3)}, newest ${count(accuracy.n)} rows)`]);
    } else if (accuracy) {  // no number where none can be trusted
      facts.push(["estimated accuracy", `not to be trusted: ${accuracy.reason}`]);
    }
    byId("facts").replaceChildren(
      ...facts.map(([key, value]) => h("div", {}, h("dt", {}, key), h("dd", {}, value))),
    );
  }

  function colorOf(columns, name) {
    const index = columns.indexOf(name);
    return index >= 0 && index < PALETTE.length ? PALETTE[index] : "#8a8f98";
  }

  function renderFeatures(detail, columns) {
    const last = detail.status.last_check;
    const outputs = columns.filter((name) => OUTPUTS[name]);
    const note = byId("features-note");
    note.hidden = outputs.length === 0;
    note.textContent = outputs.map((name) => `${name} is ${OUTPUTS[name]}`).join("; ") +
      (outputs.length ? "." : "");
    const focused = document.activeElement;
    const focusedColumn =
      focused && focused.classList.contains("chip") ? focused.dataset.column : null;
    byId("features").replaceChildren(
      ...columns.map((name) => {
        const column = last[name] || {};
        const swatch = h("span", { class: "swatch" });
        swatch.style.backgroundColor = colorOf(columns, name); // CSSOM: allowed by the CSP
        const score = column.drift_score;
        const chip = h(
          "button",
          {
            type: "button",
            class: `chip${column.drifted ? " drifted" : ""}`,
            "data-column": name,
            "aria-pressed": name === view.feature ? "true" : "false",
            title: describe(name),
          },
          swatch,
          h("span", { class: "chip-name" }, name),
          score !== null && score !== undefined
            ? h("span", { class: "chip-value" }, fmt(score, 2)) : null,
          column.drifted ? h("span", { class: "chip-flag" }, "drift") : null,
        );
        chip.addEventListener("click", () => selectFeature(name));
        return chip;
      }),
    );
    if (focusedColumn !== null) {
      const chip = Array.from(byId("features").children).find(
        (element) => element.dataset.column === focusedColumn,
      );
      if (chip) chip.focus();
    }
  }

  function renderSeries(detail, columns) {
    const history = detail.history;
    const times = history.map((check) => check.at);
    const series = (key) =>
      columns
        .map((name) => ({
          column: name,
          color: colorOf(columns, name),
          selected: name === view.feature,
          values: history.map((check) => {
            const value = (check.columns[name] || {})[key];
            return value === undefined ? null : value;
          }),
        }))
        .filter((line) => line.values.some((value) => value !== null));
    const alpha = detail.report ? detail.report.alpha : null;
    byId("scores").replaceChildren(
      lineChart({
        name: "scores",
        label: "drift score per feature",
        times,
        series: series("drift_score"),
        log: false,
        threshold: { value: 1, label: "alarm" },
        empty: "No drift scores yet (numeric columns get one once rows arrive).",
      }),
    );
    byId("pvalues").replaceChildren(
      lineChart({
        name: "p-values",
        label: "p-value per feature, log scale",
        times,
        series: series("p_value"),
        log: true,
        threshold: alpha === null ? null : { value: alpha, label: `alpha ${alpha}` },
        empty: "No window check yet.",
      }),
    );
    const outputs = OUTPUT_LINES.map(([key, label, color, dashed]) => ({
      column: key,
      label,
      color,
      dashed,
      selected: false,
      values: history.map((check) =>
        check.outputs && check.outputs[key] !== undefined ? check.outputs[key] : null),
    })).filter((line) => line.values.some((value) => value !== null));
    byId("outputs-part").hidden = outputs.length === 0;
    for (const key of byId("outputs-legend").querySelectorAll("[data-key]")) {
      key.hidden = !outputs.some((line) => line.column === key.dataset.key);
    }
    byId("outputs").replaceChildren(
      lineChart({
        name: "outputs",
        label: "mean confidence and estimated accuracy at each check",
        times,
        series: outputs,
        log: false,
        max: 1,
        fixed: true,
        empty: "No model outputs recorded.",
      }),
    );
  }

  // ---- line charts --------------------------------------------------------------------

  const LINE = { width: 780, height: 230, left: 54, right: 70, top: 14, bottom: 28 };

  function niceStep(span, most) {
    const rough = span / most;
    const power = 10 ** Math.floor(Math.log10(rough));
    for (const factor of [1, 2, 2.5, 5, 10]) if (factor * power >= rough) return factor * power;
    return 10 * power;
  }

  function yScale(options) {
    const values = [];
    for (const line of options.series) {
      for (const value of line.values) if (value !== null) values.push(value);
    }
    if (options.log) {
      const low = smallest(values.filter((v) => v > 0), 1);
      const threshold = options.threshold ? options.threshold.value : 1;
      let bottom = Math.floor(Math.log10(Math.min(low, threshold, 0.01)));
      bottom = Math.max(bottom, -30); // smaller p-values (and 0) sit on the floor
      const step = Math.max(1, Math.ceil(-bottom / 5));
      bottom = -step * Math.ceil(-bottom / step);
      const ticks = [];
      for (let power = 0; power >= bottom; power -= step) {
        ticks.push({ at: power, label: power === 0 ? "1" : `1e${power}` });
      }
      if (values.some((v) => v <= 0 || Math.log10(v) < bottom)) {
        ticks[ticks.length - 1].label = `≤ ${ticks[ticks.length - 1].label}`;
      }
      return {
        min: bottom,
        max: 0,
        ticks,
        map: (v) => (v > 0 ? Math.max(Math.log10(v), bottom) : bottom),
        floor: (v) => v <= 0 || Math.log10(v) < bottom,
      };
    }
    const high = options.max !== undefined ? options.max : largest(values, 1.25) * 1.08;
    const step = niceStep(high, 5);
    const top = step * Math.ceil(high / step);
    const ticks = [];
    for (let at = 0; at <= top + step / 2; at += step) ticks.push({ at, label: fmt(at, 3) });
    return { min: 0, max: top, ticks, map: (v) => Math.min(v, top), floor: () => false };
  }

  function lineChart(options) {
    const { width, height, left, right, top, bottom } = LINE;
    const plotWidth = width - left - right;
    const plotHeight = height - top - bottom;
    const chart = s("svg", {
      class: `chart line ${options.log ? "log" : "linear"}`,
      viewBox: `0 0 ${width} ${height}`,
      role: "img",
      "aria-label": options.label,
      "data-chart": options.name,
      "data-checks": options.times.length,
    });
    if (!options.times.length || !options.series.length) {
      chart.append(
        s("text", { class: "empty", x: width / 2, y: height / 2, "text-anchor": "middle" },
          options.empty),
      );
      return chart;
    }
    const first = smallest(options.times, Infinity);
    const last = largest(options.times, -Infinity);
    const pad = first === last ? 60 : 0;
    const x = (at) => left + ((at - first + pad) / (last - first + 2 * pad)) * plotWidth;
    const scale = yScale(options);
    const y = (v) => top + (1 - (scale.map(v) - scale.min) / (scale.max - scale.min)) * plotHeight;
    const yOf = (at) => top + (1 - (at - scale.min) / (scale.max - scale.min)) * plotHeight;

    for (const tick of scale.ticks) {
      const at = yOf(tick.at).toFixed(1);
      chart.append(
        s("line", { class: "grid", x1: left, x2: width - right, y1: at, y2: at }),
        s("text", { class: "tick", x: left - 6, y: Number(at) + 4, "text-anchor": "end" },
          tick.label),
      );
    }
    const span = last - first;
    const xTicks = first === last ? [first] : [0, 1, 2, 3, 4].map((i) => first + (i * span) / 4);
    let previous = null;
    xTicks.forEach((at, index) => {
      const label = when(at, span);
      if (label === previous) return;
      previous = label;
      const anchor = xTicks.length === 1 ? "middle" : index === 0 ? "start" : index === 4
        ? "end" : "middle";
      chart.append(
        s("line", { class: "axis", x1: x(at).toFixed(1), x2: x(at).toFixed(1),
          y1: top + plotHeight, y2: top + plotHeight + 4 }),
        s("text", { class: "tick", x: x(at).toFixed(1), y: height - 8, "text-anchor": anchor },
          label),
      );
    });
    chart.append(s("line", { class: "axis", x1: left, x2: width - right, y1: top + plotHeight,
      y2: top + plotHeight }));

    if (options.threshold) {
      const at = y(options.threshold.value).toFixed(1);
      chart.append(
        s("line", { class: "threshold", x1: left, x2: width - right, y1: at, y2: at,
          "data-value": numberAttr(options.threshold.value) }),
        s("text", { class: "threshold-label", x: width - right - 4, y: Number(at) - 5,
          "text-anchor": "end" }, options.threshold.label),
      );
    }
    const ordered = [...options.series].sort((a, b) => Number(a.selected) - Number(b.selected));
    const dense = options.times.length > 80; // then only the followed feature gets dots
    for (const line of ordered) {
      const group = s("g", {
        class: `series${line.selected ? " selected" : ""}${options.fixed ? " fixed" : ""}`,
        "data-column": line.column,
        "data-points": JSON.stringify(line.values.map((value, i) => [options.times[i], value])),
      });
      const name = line.label || line.column;
      group.append(s("title", {}, name));
      let path = "";
      let pen = "M";
      line.values.forEach((value, index) => {
        if (value === null) {
          pen = "M";
          return;
        }
        path += `${pen}${x(options.times[index]).toFixed(1)} ${y(value).toFixed(1)}`;
        pen = "L";
      });
      group.append(s("path", { d: path, stroke: line.color, class: line.dashed ? "dashed" : null }));
      line.values.forEach((value, index) => {
        if (value === null || (dense && !line.selected)) return;
        const at = options.times[index];
        const point = s("circle", {
          class: `point${scale.floor(value) ? " floor" : ""}`,
          cx: x(at).toFixed(1),
          cy: y(value).toFixed(1),
          r: dense ? 1.8 : line.selected ? 3 : 2,
          fill: line.color,
          "data-at": numberAttr(at),
          "data-value": numberAttr(value),
        });
        point.append(s("title", {}, `${name} at ${when(at)}: ${fmt(value, 4)}`));
        group.append(point);
      });
      if (!options.fixed) group.addEventListener("click", () => selectFeature(line.column));
      chart.append(group);
    }
    const selected = options.series.find((line) => line.selected);
    if (selected) {
      const index = selected.values.length - 1;
      const value = selected.values[index];
      if (value !== null) {
        chart.append(
          s("text", { class: "end-label", x: width - right + 4,
            y: (y(value) + 4).toFixed(1) }, fmt(value, 2)),
        );
      }
    }
    return chart;
  }

  // ---- the distribution of one feature ------------------------------------------------

  function renderDistribution(detail, columns) {
    const select = byId("feature");
    const wanted = columns.join("\u0000");
    if (select.dataset.columns !== wanted) {
      select.replaceChildren(...columns.map((name) => h("option", { value: name }, name)));
      select.dataset.columns = wanted;
    }
    select.value = view.feature || "";
    const box = byId("distribution");
    const facts = byId("distribution-facts");
    const why = byId("distribution-why");
    const report = detail.report;
    const column = report ? report.columns.find((c) => c.name === view.feature) : null;
    box.dataset.column = view.feature || "";
    why.textContent = "";
    if (!column) {
      facts.textContent = report ? "" : "No window check yet.";
      box.replaceChildren(h("p", { class: "empty" }, "Nothing to draw yet."));
      return;
    }
    facts.textContent = [
      describe(column.name),
      `${column.kind}`,
      column.test ? `${column.test} statistic ${fmt(column.statistic)}` : "not tested",
      column.test ? `adjusted p ${fmt(column.adjusted_p_value)}` : null,
      column.effect !== null ? `effect ${fmt(column.effect)} ${column.effect_unit || ""}` : null,
      column.drifted ? "DRIFTED" : "no drift",
      `missing ${count(column.missing_reference)} of ${count(column.n_reference)} → ${
        count(column.missing_current)} of ${count(column.n_current)}`,
    ].filter(Boolean).join(" · ");
    why.textContent = column.reason ? `Why: ${column.reason.replace(/\.?$/, ".")}` : "";
    const summary = column.distribution;
    if (!summary) {
      box.replaceChildren(h("p", { class: "empty" }, "This column's kind is not drawn."));
      return;
    }
    const chart = summary.kind === "histogram" ? histogramChart(summary) : categoriesChart(summary);
    chart.dataset.column = column.name;
    box.replaceChildren(chart);
    if (summary.approximate) {
      why.textContent += " Counts are estimated from the window's summaries.";
    }
  }

  const BARS = { width: 780, height: 240, left: 48, right: 12, top: 10, bottom: 34 };

  function histogramChart(summary) {
    const { width, height, left, right, top, bottom } = BARS;
    const bins = summary.reference.length;
    const totals = [sum(summary.reference), sum(summary.current)];
    const shares = [
      summary.reference.map((c) => (totals[0] ? c / totals[0] : 0)),
      summary.current.map((c) => (totals[1] ? c / totals[1] : 0)),
    ];
    let topShare = largest(shares[1], largest(shares[0], 1e-12));
    topShare = Math.ceil(topShare * 50) / 50;
    const plotHeight = height - top - bottom;
    const band = (width - left - right) / bins;
    const chart = s("svg", {
      class: "chart histogram", viewBox: `0 0 ${width} ${height}`, role: "img",
      "aria-label": "histogram of the reference and the current window",
      "data-kind": "histogram", "data-edges": JSON.stringify(summary.edges), "data-bins": bins,
    });
    for (const fraction of [0, 0.5, 1]) {
      const at = (top + plotHeight * (1 - fraction)).toFixed(1);
      chart.append(
        s("line", { class: "grid", x1: left, x2: width - right, y1: at, y2: at }),
        s("text", { class: "tick", x: left - 6, y: Number(at) + 4, "text-anchor": "end" },
          `${Math.round(topShare * fraction * 100)}%`),
      );
    }
    [["reference", summary.reference, 0], ["current", summary.current, 1]].forEach(
      ([side, counts, index]) => {
        counts.forEach((value, bin) => {
          const barHeight = (plotHeight * shares[index][bin]) / topShare;
          chart.append(s("rect", {
            class: `bar ${side}`, "data-side": side, "data-bin": bin, "data-count": value,
            x: (left + bin * band + 0.5).toFixed(2), y: (top + plotHeight - barHeight).toFixed(2),
            width: Math.max(band - 1, 0.5).toFixed(2), height: barHeight.toFixed(2),
          }));
        });
      },
    );
    for (let bin = 0; bin < bins; bin += 1) {
      const low = summary.edges[bin];
      const high = summary.edges[bin + 1];
      const rect = s("rect", {
        class: "bin", "data-bin": bin, "data-low": numberAttr(low), "data-high": numberAttr(high),
        x: (left + bin * band).toFixed(2), y: top, width: band.toFixed(2), height: plotHeight,
      });
      rect.append(s("title", {}, `[${fmt(low, 4)}, ${fmt(high, 4)}]: reference ${
        percent(shares[0][bin])} (${count(summary.reference[bin])}), current ${
        percent(shares[1][bin])} (${count(summary.current[bin])})`));
      chart.append(rect);
    }
    const step = Math.max(1, Math.round(bins / 6));
    const marks = [];
    for (let bin = 0; bin <= bins; bin += step) marks.push(bin);
    if (marks[marks.length - 1] !== bins) {
      if (bins - marks[marks.length - 1] < step / 2) marks.pop();
      marks.push(bins);
    }
    const baseline = top + plotHeight;
    chart.append(s("line", { class: "axis", x1: left, x2: width - right, y1: baseline,
      y2: baseline }));
    for (const bin of marks) {
      const at = left + bin * band;
      const anchor = bin === 0 ? "start" : bin === bins ? "end" : "middle";
      chart.append(
        s("line", { class: "axis", x1: at.toFixed(1), x2: at.toFixed(1), y1: baseline,
          y2: baseline + 4 }),
        s("text", { class: "tick", x: at.toFixed(1), y: baseline + 17, "text-anchor": anchor },
          fmt(summary.edges[bin], 3)),
      );
    }
    return chart;
  }


  function categoriesChart(summary) {
    const rows = summary.categories.map((label, index) => ({
      label, reference: summary.reference[index], current: summary.current[index], other: false,
    }));
    if (summary.other_reference || summary.other_current || summary.n_other) {
      rows.push({ label: `other (${count(summary.n_other)})`, reference: summary.other_reference,
        current: summary.other_current, other: true });
    }
    const totals = [
      sum(summary.reference) + summary.other_reference,
      sum(summary.current) + summary.other_current,
    ];
    const share = (value, side) => (totals[side] ? value / totals[side] : 0);
    const topShare = largest(
      rows.map((r) => Math.max(share(r.reference, 0), share(r.current, 1))), 1e-12);
    const labelWidth = 190;
    const width = BARS.width;
    const rowHeight = 26;
    const scale = (width - labelWidth - 120) / topShare;
    const chart = s("svg", {
      class: "chart categories", viewBox: `0 0 ${width} ${12 + rows.length * rowHeight}`,
      role: "img", "aria-label": "category shares of the reference and the current window",
      "data-kind": "categories", "data-rows": rows.length,
    });
    rows.forEach((row, index) => {
      const y = 6 + index * rowHeight;
      const label = row.label.length > 28 ? `${row.label.slice(0, 27)}…` : row.label;
      const group = s("g", { class: `category${row.other ? " other" : ""}`,
        "data-category": row.label, "data-other": row.other ? "true" : "false" });
      group.append(
        s("title", {}, `${row.label}: reference ${percent(share(row.reference, 0))} (${
          count(row.reference)}), current ${percent(share(row.current, 1))} (${
          count(row.current)})`),
        s("text", { class: "label", x: labelWidth - 8, y: y + 15, "text-anchor": "end" }, label),
      );
      [["reference", row.reference, 0], ["current", row.current, 1]].forEach(
        ([side, value, offset]) => {
          group.append(s("rect", {
            class: `bar ${side}`, "data-side": side, "data-count": value, x: labelWidth,
            y: y + 2 + offset * 10, width: (share(value, offset) * scale).toFixed(2), height: 9,
          }));
        },
      );
      const longest = Math.max(share(row.reference, 0), share(row.current, 1));
      group.append(s("text", { class: "value", x: (labelWidth + longest * scale + 8).toFixed(1),
        y: y + 15 }, `${percent(share(row.reference, 0))} → ${percent(share(row.current, 1))}`));
      chart.append(group);
    });
    return chart;
  }

  // ---- alerts, violations, the last check ---------------------------------------------

  function renderAlerts(alerts) {
    const list = byId("alerts");
    if (!alerts.length) {
      list.replaceChildren(h("li", { class: "empty" }, "No alert so far."));
      return;
    }
    list.replaceChildren(
      ...alerts.map((alert) => {
        let delivery;
        if (alert.delivered) delivery = alert.attempts ? "delivered" : "recorded (no webhook)";
        else delivery = alert.attempts ? `not delivered (${alert.attempts} tries)` : "sending";
        return h(
          "li",
          {
            class: `alert ${alert.status}`, "data-id": alert.id, "data-status": alert.status,
            "data-source": alert.source, "data-at": numberAttr(alert.at),
          },
          h("div", { class: "alert-head" },
            h("span", { class: `pill ${alert.status}` }, alert.status),
            h("span", { class: "alert-source" }, alert.source),
            h("time", { datetime: new Date(alert.at * 1000).toISOString() },
              `${when(alert.at)} · ${ago(alert.at)}`)),
          h("p", { class: "alert-detail" }, alert.detail),
          h("p", { class: "alert-delivery" }, delivery),
        );
      }),
    );
  }

  function renderViolations(violations) {
    const body = byId("violations").tBodies[0];
    if (!violations.length) {
      body.replaceChildren(h("tr", { class: "empty" }, h("td", { colspan: 3 }, "No violation.")));
      return;
    }
    const most = largest(violations.map((v) => v.count), 1);
    body.replaceChildren(
      ...violations.map((violation) => {
        const bar = h("span", { class: "count-bar" });
        bar.style.width = `${Math.max(2, (60 * violation.count) / most)}px`;
        return h(
          "tr",
          { "data-column": violation.column, "data-rule": violation.rule,
            "data-count": violation.count },
          h("td", { class: "name" }, violation.column),
          h("td", {}, h("code", {}, violation.rule)),
          h("td", { class: "num" }, bar, count(violation.count)),
        );
      }),
    );
  }

  function renderColumns(detail) {
    const last = detail.status.last_check;
    const names = Object.keys(last).sort(
      (a, b) => Number(last[b].drifted) - Number(last[a].drifted),
    );
    const body = byId("columns").tBodies[0];
    if (!names.length) {
      body.replaceChildren(h("tr", { class: "empty" }, h("td", { colspan: 5 }, "No check yet.")));
      return;
    }
    body.replaceChildren(
      ...names.map((name) => {
        const column = last[name];
        const button = h("button", { type: "button", class: "link" }, name);
        button.addEventListener("click", () => selectFeature(name));
        const cell = (key, text) =>
          h("td", { class: "num", "data-key": key, "data-value": numberAttr(column[key]) }, text);
        return h(
          "tr",
          { class: `${column.drifted ? "drifted" : ""}${name === view.feature ? " selected" : ""}`,
            "data-column": name, "data-drifted": column.drifted ? "true" : "false" },
          h("td", { class: "name" }, button),
          h("td", {}, column.test || "—"),
          cell("adjusted_p_value", fmt(column.adjusted_p_value, 2)),
          cell("effect", fmt(column.effect, 2)),
          cell("drift_score", fmt(column.drift_score, 2)),
        );
      }),
    );
  }

  // ---- start --------------------------------------------------------------------------

  function start() {
    const form = byId("token-form");
    const input = byId("token");
    input.value = readToken();
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const token = input.value.trim();
      if (!/^[\x21-\x7e]*$/.test(token)) {
        showMessage("A token is printable ASCII without spaces; this one cannot be sent.",
          "error");
        return;
      }
      keepToken(token);
      showMessage("Loading…", "info");
      refresh();
    });
    byId("forget").addEventListener("click", () => {
      keepToken("");
      input.value = "";
      refresh();
    });
    byId("feature").addEventListener("change", (event) => selectFeature(event.target.value));
    document.addEventListener("visibilitychange", () => {
      if (!document.hidden) refresh();
    });
    showUpdated(false);
    refresh();
  }

  start();
})();
