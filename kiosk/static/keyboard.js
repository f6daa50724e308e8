// The on-screen keyboard for names and addresses: pinyin with character
// candidates (simple-keyboard's Chinese layout), or plain Latin letters.
import chinese from "./vendor/simple-keyboard-layouts-3.4.265/chinese.js";

const Keyboard = window.SimpleKeyboard.default;

// One layout for both modes, digits included: an address has house numbers however its
// words are typed. Pinyin mode offers the characters for the letters typed.
const layout = {
  default: [
    "1 2 3 4 5 6 7 8 9 0",
    "q w e r t y u i o p",
    "a s d f g h j k l",
    "z x c v b n m · - {bksp}",
    "{space}",
  ],
};
// "pinyin" keeps a strip at the top of the keyboard for the candidates (kiosk.css).
const themes = { pinyin: "hg-theme-default kiosk-keyboard pinyin", latin: "hg-theme-default kiosk-keyboard" };

let keyboard = null;

// Builds the keyboard of the page shown, if it has one. It types into the field marked
// data-keyboard that last had the focus (the first at the start).
function attach() {
  if (keyboard) { keyboard.destroy(); keyboard = null; }
  const fields = document.querySelectorAll("[data-keyboard]");
  if (!fields.length || !document.querySelector(".simple-keyboard")) { return; }
  let input = fields[0];
  keyboard = new Keyboard({
    onChange: (value) => {
      input.value = value;
      input.dispatchEvent(new Event("input", { bubbles: true }));
    },
    layout,
    layoutCandidates: chinese.layoutCandidates,
    enableLayoutCandidates: true,
    layoutCandidatesPageSize: 8,
    display: { "{bksp}": "⌫", "{space}": "␣" },
    theme: themes.pinyin,
    maxLength: input.maxLength > 0 ? input.maxLength : 60,
  });
  keyboard.setInput(input.value);

  fields.forEach((field) => {
    field.addEventListener("focus", () => {
      input = field;
      keyboard.setOptions({ maxLength: field.maxLength > 0 ? field.maxLength : 60 });
      keyboard.setInput(field.value);
    });
  });

  document.querySelectorAll("[data-keyboard-mode]").forEach((button) => {
    button.addEventListener("click", () => {
      const isPinyin = button.dataset.keyboardMode === "pinyin";
      keyboard.setOptions({
        enableLayoutCandidates: isPinyin,
        theme: isPinyin ? themes.pinyin : themes.latin,
      });
      document.querySelectorAll("[data-keyboard-mode]").forEach((other) => {
        other.setAttribute("aria-pressed", String(other === button));
      });
    });
  });
}

attach();
// A page htmx swaps in (hx-boost) brings its own fields and keyboard box.
document.addEventListener("htmx:load", (event) => {
  if (event.target.id === "page") { attach(); }
});
