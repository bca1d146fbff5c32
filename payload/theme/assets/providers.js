/* demokit — filtre des prestataires par région et département / providers filter.
 *
 * A classic script for prestataires.html, opened from file:// (no server, no fetch).
 * Without it the page lists every provider. With it, a région or a département keeps
 * the providers present there; those that work all over France move under their own
 * heading. The choice is kept in the URL (?departement=34, ?region=occitanie) so a
 * reload or a bookmark shows the same list. */
(function () {
  'use strict';

  var form = document.getElementById('prestataires-filtre');
  var list = document.getElementById('prestataires-liste');
  var france = document.getElementById('prestataires-france');
  var franceList = document.getElementById('prestataires-france-liste');
  var status = document.getElementById('prestataires-statut');
  if (!form || !list || !france || !franceList || !status) { return; }
  var region = document.getElementById('f-region');
  var departement = document.getElementById('f-departement');
  var cards = Array.prototype.slice.call(list.querySelectorAll('li.provider'));

  function words(value) { return (value || '').split(' ').filter(Boolean); }

  function hasOption(select, value) {
    for (var i = 0; i < select.options.length; i++) { if (select.options[i].value === value) { return true; } }
    return false;
  }

  function label(select) {
    var option = select.options[select.selectedIndex];
    return option ? option.textContent : '';
  }

  function keepInURL() {
    var parts = [];
    if (departement.value) { parts.push('departement=' + encodeURIComponent(departement.value)); }
    else if (region.value) { parts.push('region=' + encodeURIComponent(region.value)); }
    var url = location.pathname + (parts.length ? '?' + parts.join('&') : '') + location.hash;
    try { history.replaceState(null, '', url); } catch (e) { /* some browsers refuse on file:// */ }
  }

  function apply() {
    var code = departement.value, slug = departement.value ? '' : region.value;
    var local = 0, national = 0;
    cards.forEach(function (card) {
      var here = code ? words(card.getAttribute('data-departements')).indexOf(code) >= 0
        : slug ? words(card.getAttribute('data-regions')).indexOf(slug) >= 0 : true;
      var everywhere = card.hasAttribute('data-national');
      if (here) {
        list.appendChild(card);
        card.hidden = false;
        local += 1;
      } else if (everywhere) {
        franceList.appendChild(card);
        card.hidden = false;
        national += 1;
      } else {
        list.appendChild(card);
        card.hidden = true;
      }
    });
    france.hidden = national === 0;
    if (code || slug) {
      var text = status.getAttribute('data-filtered').replace('{n}', local).replace('{place}', label(code ? departement : region));
      if (national) { text += ' ' + status.getAttribute('data-national').replace('{m}', national); }
      status.textContent = text;
    } else {
      status.textContent = '';
    }
  }

  var query = location.search.replace(/^\?/, '').split('&');
  query.forEach(function (pair) {
    var parts = pair.split('='), key = parts[0], value = decodeURIComponent((parts[1] || '').replace(/\+/g, ' '));
    if (key === 'departement' && hasOption(departement, value.toUpperCase())) { departement.value = value.toUpperCase(); }
    if (key === 'region' && hasOption(region, value)) { region.value = value; }
  });
  if (departement.value) { region.value = ''; }

  region.addEventListener('change', function () { departement.value = ''; apply(); keepInURL(); });
  departement.addEventListener('change', function () { region.value = ''; apply(); keepInURL(); });
  form.addEventListener('submit', function (event) { event.preventDefault(); });
  form.hidden = false;
  apply();
})();
