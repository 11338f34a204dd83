// Progressive enhancement of the Registrar console. Every page works without it.
'use strict';

document.addEventListener('DOMContentLoaded', () => {
  // Copy buttons: shown only when the clipboard can be written.
  for (const button of document.querySelectorAll('[data-copy]')) {
    if (!navigator.clipboard) continue;
    button.hidden = false;
    button.addEventListener('click', async () => {
      const source = document.getElementById(button.dataset.copy);
      try {
        await navigator.clipboard.writeText(source.value);
        button.textContent = 'Copied';
      } catch {
        source.select();
        button.textContent = 'Press Ctrl+C';
      }
      setTimeout(() => { button.textContent = 'Copy'; }, 2000);
    });
  }

  // Confirmations: a button stays disabled until the typed text matches.
  for (const input of document.querySelectorAll('[data-confirm-text]')) {
    const button = document.getElementById(input.dataset.confirmButton);
    const update = () => { button.disabled = input.value !== input.dataset.confirmText; };
    input.addEventListener('input', update);
    update();
  }

  // Forms asking "are you sure?" before they submit.
  for (const form of document.querySelectorAll('form[data-confirm]')) {
    form.addEventListener('submit', (event) => {
      if (!window.confirm(form.dataset.confirm)) event.preventDefault();
    });
  }

  // The client type decides which settings apply: show those, hide the rest.
  const type = document.getElementById('app_type');
  if (type) {
    const update = () => {
      for (const section of document.querySelectorAll('[data-types]')) {
        section.hidden = !section.dataset.types.split(' ').includes(type.value);
      }
    };
    type.addEventListener('change', update);
    update();
  }
});
