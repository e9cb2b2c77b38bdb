// Live weather (config `weather.live: true`): refreshes the box built into the page from
// the same Open-Meteo endpoint. Progressive: the built box stays as it is when the API is
// slow, unreachable or answers something unexpected.
(function () {
  "use strict";
  var box = document.querySelector(".box-weather[data-live]");
  var table = box && box.querySelector(".wx-words");
  if (!box || !table || !window.fetch || !window.AbortController) return;
  var words = JSON.parse(table.textContent);
  var places = Array.prototype.slice.call(box.querySelectorAll(".wx[data-lat]"));
  if (!places.length) return;

  var query = [
    "latitude=" + places.map(function (li) { return li.dataset.lat; }).join(","),
    "longitude=" + places.map(function (li) { return li.dataset.lon; }).join(","),
    "current=temperature_2m,relative_humidity_2m,weather_code,wind_speed_10m,is_day",
    "daily=temperature_2m_min,temperature_2m_max",
    "timezone=" + encodeURIComponent(box.dataset.timezone),
    "forecast_days=1", "wind_speed_unit=kmh"
  ].join("&");
  var endpoint = box.dataset.live;
  var abort = new AbortController();
  var timer = setTimeout(function () { abort.abort(); }, 5000);

  fetch(endpoint + (endpoint.indexOf("?") < 0 ? "?" : "&") + query, { signal: abort.signal })
    .then(function (response) { return response.ok ? response.json() : null; })
    .then(function (answer) {
      var parts = Array.isArray(answer) ? answer : [answer];
      if (!answer || parts.length !== places.length) return;
      var newest = "";
      parts.forEach(function (part, i) {
        var time = show(places[i], part);
        if (time && time > newest) newest = time;
      });
      var stamp = box.querySelector(".wx-stamp");
      if (newest && stamp) stamp.textContent = taken(newest);
    })
    .catch(function () { /* keep the built box */ })
    .then(function () { clearTimeout(timer); });

  function number(value) { return typeof value === "number" && isFinite(value); }

  // Fill one place from its part of the answer; returns its local time, or "" if unusable.
  function show(li, part) {
    var now = part && part.current, day = (part && part.daily) || {};
    if (!now || !number(now.temperature_2m) || !number(now.weather_code)) return "";
    var code = words.codes[now.weather_code + (now.is_day === 0 ? "n" : "d")];
    if (!code) return "";
    var entry = [words.words[code[0]], words.icons[code[1]]];
    var extra = [];
    var low = day.temperature_2m_min && day.temperature_2m_min[0];
    var high = day.temperature_2m_max && day.temperature_2m_max[0];
    if (number(low) && number(high)) extra.push(words.today + " " + Math.round(low) + "–" + Math.round(high) + "°C");
    if (number(now.relative_humidity_2m)) extra.push(words.humidity + " " + Math.round(now.relative_humidity_2m) + "%");
    if (number(now.wind_speed_10m)) extra.push(words.wind + " " + Math.round(now.wind_speed_10m) + " km/h");
    li.textContent = "";
    li.className = "wx wx-current";
    li.appendChild(element("p", "wx-place", li.dataset.name));
    var line = element("p", "wx-now", "");
    var icon = document.createElement("img");
    icon.className = "wx-icon"; icon.src = entry[1]; icon.alt = entry[0]; icon.width = 32; icon.height = 32;
    line.appendChild(icon);
    line.appendChild(document.createTextNode(" "));
    line.appendChild(element("span", "wx-temp", Math.round(now.temperature_2m) + "°C"));
    line.appendChild(document.createTextNode(" "));
    var word = element("span", "wx-word", entry[0]);
    word.setAttribute("aria-hidden", "true");
    line.appendChild(word);
    li.appendChild(line);
    var more = element("p", "wx-more", "");
    extra.forEach(function (text, n) {
      if (n) more.appendChild(document.createTextNode(" "));
      more.appendChild(element("span", "", text));
    });
    li.appendChild(more);
    return now.time || "";
  }

  function element(tag, className, text) {
    var node = document.createElement(tag);
    node.className = className;
    node.textContent = text;
    return node;
  }

  // "2026-11-23T14:45" (local time of the portal's zone) in the theme's own format.
  function taken(time) {
    var parts = { Y: time.slice(0, 4), m: time.slice(5, 7), d: time.slice(8, 10), H: time.slice(11, 13), M: time.slice(14, 16) };
    return words.taken.replace("{time}", words.format.replace(/%([YmdHM])/g, function (_, k) { return parts[k]; }));
  }
})();
