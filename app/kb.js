// The page's own script, loaded in <head> by app/chrome.py. Three jobs Gradio leaves to the app:
// 1. Chinese for the few labels Gradio writes in code rather than through its i18n tables
//    ("More tabs", "Copy table data", "Select example 1: …", a toast's "Error" title, and
//    each chat message's aria-label, which Gradio fills with the message's raw HTML).
// 2. The 复制 button of an answer: copies the plain text (with 出处) hidden beside it.
// 3. The question box's length counter.
(() => {
  const LABELS = {
    "More tabs": "更多标签页",
    "Copy table data": "复制表格",
    "Copied to clipboard": "已复制",
    "chatbot conversation": "对话记录",
    "Gradio footer navigation": "页脚",
    "Copy message": "复制",
    "Copied message": "已复制",
    "Clear": "清除",
    "Reset to default value": "恢复默认值",
    "Table actions": "表格操作",
    "Fullscreen": "全屏",
    "Exit fullscreen mode": "退出全屏",
    "Dataframe": "表格",
    "Close": "关闭",
    "Open cell menu": "打开单元格菜单",
    "File upload": "上传文件",
  };
  const PATTERNS = [
    [/^number input for (.*)$/, "$1（输入数值）"],
    [/^range slider for (.*)$/, "$1（拖动选择）"],
  ];
  // A toast's title is its type in English whatever title the server sent (gradio 6.31).
  const TOAST_TITLES = { Error: "出错了", Warning: "提示", Info: "提示", Success: "完成" };
  const ROLES = { user: "提问", assistant: "回答", bot: "回答" };
  const MESSAGE = /^(user|assistant|bot)'s message: /;
  const EXAMPLE = /^Select example (\d+): /;

  const plain = (el) => (el.innerText || el.textContent || "").replace(/\s+/g, " ").trim();

  function localize(el) {
    if (el.matches("label input[title]")) return titleFromLabel(el);
    for (const attr of ["aria-label", "title"]) {
      const value = el.getAttribute(attr);
      if (!value) continue;
      let fixed = LABELS[value];
      const message = value.match(MESSAGE);
      const example = value.match(EXAMPLE);
      for (const [pattern, replacement] of PATTERNS) {
        if (pattern.test(value)) fixed = value.replace(pattern, replacement);
      }
      // the upload area's name must contain the words it shows (WCAG 2.5.3)
      if (value === "Click to upload or drop files") fixed = plain(el) || "点击上传或拖入文件";
      if (message) fixed = `${ROLES[message[1]]}：${plain(el).slice(0, 200)}`;
      else if (example) fixed = `示例问题 ${example[1]}：${value.slice(example[0].length)}`;
      if (fixed && fixed !== value) el.setAttribute(attr, fixed); // an unchanged value is not set again: no loop
    }
  }

  // A checkbox's tooltip is its value (an API key such as "fill"): show its label instead.
  function titleFromLabel(input) {
    const label = input.closest("label");
    if (label && plain(label) && input.title !== plain(label)) input.title = plain(label); // once: no loop
  }

  function toastTitle(title) {
    for (const node of title.childNodes) {
      const word = node.nodeType === 3 ? node.data.trim() : "";
      if (TOAST_TITLES[word]) node.data = `${TOAST_TITLES[word]} `;
    }
  }

  function sweep(root) {
    if (root.nodeType !== 1) return;
    if (root.matches(".toast-title")) toastTitle(root);
    root.querySelectorAll(".toast-title").forEach(toastTitle);
    if (root.hasAttribute("aria-label") || root.hasAttribute("title")) localize(root);
    root.querySelectorAll("[aria-label],[title]").forEach(localize);
  }

  new MutationObserver((records) => {
    for (const r of records) {
      if (r.type === "attributes") localize(r.target);
      else r.addedNodes.forEach(sweep);
      const toast = r.target.parentElement?.closest?.(".toast-title");
      if (r.type === "characterData" && toast) toastTitle(toast);
      if (r.type === "attributes") continue;
      // a message's label follows its text: relabel when a streamed answer grows
      const msg = (r.target.nodeType === 1 ? r.target : r.target.parentElement)?.closest?.(
        "[aria-label^='回答：'],[aria-label^='提问：']"
      );
      const label = msg && `${msg.getAttribute("aria-label").slice(0, 3)}${plain(msg).slice(0, 200)}`;
      if (msg && msg.getAttribute("aria-label") !== label) msg.setAttribute("aria-label", label);
    }
  }).observe(document.documentElement, {
    subtree: true,
    childList: true,
    characterData: true,
    attributes: true,
    attributeFilter: ["aria-label", "title"],
  });

  // The question box's length counter (app/web.py runs it on every change of the box).
  window.kbCounter = (text, limit) => {
    const n = [...(text || "").trim()].length;
    const over = n > limit;
    const note = over ? "：超出部分发送时将被截去" : "";
    return `<span class="kb-counter${over ? " kb-over" : ""}" aria-live="polite">${n} / ${limit} 字${note}</span>`;
  };

  document.addEventListener("click", async (event) => {
    const button = event.target.closest?.(".kb-copy");
    if (!button) return;
    event.preventDefault();
    event.stopPropagation();
    const hidden = button.parentElement?.querySelector(".kb-copy-text");
    const text = hidden ? [...hidden.children].map((line) => line.textContent).join("\n") : "";
    try {
      await navigator.clipboard.writeText(text);
    } catch {
      const area = document.createElement("textarea"); // http:// on an intranet has no clipboard API
      area.value = text;
      document.body.appendChild(area);
      area.select();
      document.execCommand("copy");
      area.remove();
    }
    button.textContent = "已复制";
    setTimeout(() => (button.textContent = "复制"), 1500);
  });
})();
