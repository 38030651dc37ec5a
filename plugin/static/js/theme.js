// Theme and language switches in the header. The theme is kept in a cookie so that the server
// renders the right one on the next page, without a flash.

const select = document.getElementById("og-theme");
if (select) {
  select.addEventListener("change", () => {
    const theme = select.value;
    document.documentElement.dataset.theme = theme;
    document.cookie = `og_theme=${encodeURIComponent(theme)}; path=/; max-age=31536000; samesite=lax`;
  });
}
