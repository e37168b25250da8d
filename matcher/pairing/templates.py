"""Jinja2 template of the printable schedule (kept in Python so packaging needs no data files).

Rendered with ``autoescape=True``: every name, reason and label is escaped.
"""

SCHEDULE_HTML = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ title }}</title>
<style>
  :root { --ink: #1a1a1a; --muted: #555; --rule: #c8c8c8; --accent: #0b5cad; }
  * { box-sizing: border-box; }
  body { font: 16px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
         color: var(--ink); margin: 0 auto; max-width: 60rem; padding: 1.5rem; }
  h1 { font-size: 1.8rem; margin: 0 0 1rem; }
  h2 { font-size: 1.4rem; margin: 0 0 .75rem; color: var(--accent); }
  h3 { font-size: 1.05rem; margin: 0 0 .25rem; }
  .time { color: var(--muted); font-weight: normal; }
  table { border-collapse: collapse; width: 100%; }
  caption { text-align: left; color: var(--muted); padding-bottom: .4rem; }
  th, td { border-bottom: 1px solid var(--rule); padding: .45rem .6rem; text-align: left;
           vertical-align: top; }
  th[scope="col"] { border-bottom: 2px solid var(--ink); }
  th[scope="row"] { white-space: nowrap; }
  .reason { color: var(--muted); font-size: .92rem; }
  .round, .agenda { margin-bottom: 2.5rem; }
  .person { break-inside: avoid; page-break-inside: avoid; margin: 0 0 1rem;
            padding-bottom: .6rem; border-bottom: 1px solid var(--rule); }
  .person ol { margin: 0; padding-left: 0; list-style: none; }
  .skip { position: absolute; left: -999px; }
  .skip:focus { left: 1rem; top: 1rem; background: #fff; padding: .3rem .6rem; }
  @media print {
    body { font-size: 11pt; max-width: none; padding: 0; }
    .skip { display: none; }
    h2 { color: var(--ink); }
    .round { break-after: page; page-break-after: always; }
    .agenda { break-before: page; page-break-before: always; }
    tr { break-inside: avoid; page-break-inside: avoid; }
  }
</style>
</head>
<body>
<a class="skip" href="#agenda">Skip to attendee agendas</a>
<header><h1>{{ title }}</h1></header>
<main>
{% for rnd in rounds %}
<section class="round" aria-labelledby="round-{{ rnd.number }}">
  <h2 id="round-{{ rnd.number }}">Round {{ rnd.number }}{% if rnd.time %}
    <span class="time">&middot; {{ rnd.time }}</span>{% endif %}</h2>
  <table>
    <caption>Who sits where in round {{ rnd.number }}</caption>
    <thead><tr><th scope="col">Table</th><th scope="col">Who</th>
      <th scope="col">Why</th></tr></thead>
    <tbody>
    {% for t in rnd.tables %}
      <tr><th scope="row">{{ t.label }}</th><td>{{ t.names | join(", ") }}</td>
        <td class="reason">{{ t.reason }}</td></tr>
    {% endfor %}
    </tbody>
  </table>
</section>
{% endfor %}
<section class="agenda" id="agenda" aria-labelledby="agenda-title">
  <h2 id="agenda-title">Agendas</h2>
  {% for p in people %}
  <article class="person" aria-label="Agenda of {{ p.name }}">
    <h3>{{ p.name }}</h3>
    <ol>
    {% for s in p.stops %}
      <li value="{{ s.round }}">Round {{ s.round }}{% if s.time %} ({{ s.time }}){% endif %}:
        {{ s.table }}{% if s.with %}, with {{ s.with | join(", ") }}{% endif %}{% if s.reason %}
        <span class="reason">&mdash; {{ s.reason }}</span>{% endif %}</li>
    {% endfor %}
    </ol>
  </article>
  {% endfor %}
</section>
</main>
</body>
</html>
"""
