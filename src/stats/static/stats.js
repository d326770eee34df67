/* The statistics page: draws the charts with uPlot from the page's data block. The
   numbers themselves are in the page's tables; the charts are hidden from screen
   readers, which read the tables. */
(function () {
  "use strict";

  const block = document.getElementById("stats-data");
  if (!block || typeof uPlot === "undefined") {
    return;
  }
  const data = JSON.parse(block.textContent);
  const colours = data.colours;
  const ink = "#344054";
  const font = "12px system-ui, sans-serif";
  const grid = { stroke: "#e4e7ec", width: 1 };

  function indices(count) {
    return Array.from({ length: count }, (_, i) => i);
  }

  function labelled(labels) {
    return (u, splits) => splits.map((i) => (Number.isInteger(i) && labels[i] !== undefined ? labels[i] : ""));
  }

  // Counts and minutes start at zero: a bar cut off at 20 would lie about its size.
  const fromZero = { range: (u, min, max) => [0, max > 0 ? Math.ceil(max * 1.1) : 1] };

  function yAxis() {
    return { stroke: ink, font: font, grid: grid, size: 44 };
  }

  function lineChart(series, labels) {
    return {
      scales: { x: { time: false }, y: fromZero },
      series: [{ label: data.words.day, value: (u, i) => (i == null ? "–" : labels[i]) }].concat(
        series.map((s, i) => ({
          label: s.label,
          stroke: colours[i % colours.length],
          width: 2,
          points: { show: labels.length <= 62, size: 5 },
          spanGaps: false,
        }))
      ),
      axes: [
        {
          stroke: ink,
          font: font,
          grid: grid,
          incrs: [1, 2, 7, 14, 28, 56, 91],
          values: labelled(labels),
        },
        yAxis(),
      ],
      data: [indices(labels.length)].concat(series.map((s) => s.values)),
    };
  }

  function barChart(bars) {
    const count = bars.labels.length;
    return {
      scales: { x: { time: false, range: [-0.5, count - 0.5] }, y: fromZero },
      series: [
        { label: data.words.language, value: (u, i) => (i == null ? "–" : bars.labels[i]) },
        {
          label: bars.label,
          stroke: colours[0],
          fill: colours[0],
          width: 1,
          paths: uPlot.paths.bars({ size: [0.6, 64] }),
          points: { show: false },
        },
      ],
      axes: [
        {
          stroke: ink,
          font: font,
          grid: { show: false },
          splits: () => indices(count),
          // On a phone the names would run into each other: the codes (DE, AR, …).
          values: (u, splits) => labelled(u.width < 480 ? bars.codes : bars.labels)(u, splits),
        },
        yAxis(),
      ],
      data: [indices(count), bars.values],
    };
  }

  const made = {
    visitors: () => lineChart(data.visitors, data.days),
    waits: () => lineChart(data.waits, data.days),
    languages: () => barChart(data.languages),
  };

  function size(element) {
    const width = Math.max(240, element.clientWidth);
    return { width: width, height: width < 600 ? 220 : 280 };
  }

  document.querySelectorAll(".chart[data-chart]").forEach((element) => {
    const make = made[element.dataset.chart];
    if (!make) {
      return;
    }
    const spec = make();
    const chart = new uPlot(Object.assign({}, size(element), spec), spec.data, element);
    new ResizeObserver(() => chart.setSize(size(element))).observe(element);
  });
})();
