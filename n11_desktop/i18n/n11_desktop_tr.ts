<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="tr_TR" sourcelanguage="en">
<context>
    <name>AddStoreDialog</name>
    <message>
        <source>Add a store</source>
        <translation>Mağaza ekle</translation>
    </message>
    <message>
        <source>e.g. shop-b</source>
        <translation>ör. magaza-b</translation>
    </message>
    <message>
        <source>Name:</source>
        <translation>Ad:</translation>
    </message>
    <message>
        <source>empty: a new SQLite file in the data folder</source>
        <translation>boş: veri klasöründe yeni bir SQLite dosyası</translation>
    </message>
    <message>
        <source>An SQLite file, or a PostgreSQL URL such as postgresql+psycopg://user:password@host/n11</source>
        <translation>Bir SQLite dosyası ya da postgresql+psycopg://kullanici:parola@sunucu/n11 gibi bir PostgreSQL adresi</translation>
    </message>
    <message>
        <source>Database:</source>
        <translation>Veritabanı:</translation>
    </message>
    <message>
        <source>for a PostgreSQL URL without its password</source>
        <translation>parolasız yazılmış bir PostgreSQL URL&apos;si için</translation>
    </message>
    <message>
        <source>Leave it empty when ~/.pgpass holds the password. A password typed here is kept inside the URL in the store list (stores.json, readable only by you) and never shown.</source>
        <translation>Parola ~/.pgpass dosyasındaysa boş bırakın. Buraya yazılan parola mağaza listesinde (yalnızca sizin okuyabildiğiniz stores.json) URL&apos;nin içinde saklanır ve hiçbir zaman gösterilmez.</translation>
    </message>
    <message>
        <source>Test connection</source>
        <translation>Bağlantıyı test et</translation>
    </message>
    <message>
        <source>Connect to the PostgreSQL server and look at the store&apos;s schema; nothing is created or changed</source>
        <translation>PostgreSQL sunucusuna bağlanır ve mağazanın şemasına bakar; hiçbir şey oluşturulmaz ya da değiştirilmez</translation>
    </message>
    <message>
        <source>Password:</source>
        <translation>Parola:</translation>
    </message>
    <message>
        <source>(nothing: start empty)</source>
        <translation>(hiçbiri: boş başla)</translation>
    </message>
    <message>
        <source>Copy settings and mapping from:</source>
        <translation>Ayarları ve eşleştirmeyi şuradan kopyala:</translation>
    </message>
    <message>
        <source>Demo store (the built-in N11 sandbox, a demo catalog and mapping)</source>
        <translation>Demo mağaza (yerleşik N11 sanal ortamı, demo katalog ve eşleştirme)</translation>
    </message>
    <message>
        <source>Connecting…</source>
        <translation>Bağlanılıyor…</translation>
    </message>
    <message>
        <source>Connected to %1 (PostgreSQL %2): schema %3 holds n11-desktop&apos;s tables; the store uses them.</source>
        <translation>%1 sunucusuna bağlanıldı (PostgreSQL %2): %3 şemasında n11-desktop tabloları var; mağaza bunları kullanır.</translation>
    </message>
    <message>
        <source>Connected to %1 (PostgreSQL %2): schema %3 is empty; adding the store creates its tables.</source>
        <translation>%1 sunucusuna bağlanıldı (PostgreSQL %2): %3 şeması boş; mağaza eklenince tabloları oluşturulur.</translation>
    </message>
    <message>
        <source>Connected to %1 (PostgreSQL %2): schema %3 does not exist yet; adding the store creates it and its tables.</source>
        <translation>%1 sunucusuna bağlanıldı (PostgreSQL %2): %3 şeması henüz yok; mağaza eklenince şema ve tabloları oluşturulur.</translation>
    </message>
    <message>
        <source>Not connected: %1</source>
        <translation>Bağlanılamadı: %1</translation>
    </message>
    <message>
        <source>A store needs a name.</source>
        <translation>Mağazanın bir adı olmalı.</translation>
    </message>
    <message>
        <source>Creating the store&apos;s database…</source>
        <translation>Mağazanın veritabanı oluşturuluyor…</translation>
    </message>
    <message>
        <source>Not added: %1</source>
        <translation>Eklenmedi: %1</translation>
    </message>
</context>
<context>
    <name>AddressMappingDialog</name>
    <message>
        <source>Address Mapping</source>
        <translation>Adres Eşleştirme</translation>
    </message>
    <message>
        <source>These N11 address names did not match the local address tree, so their orders were not written. Choose the local city / township / district for each one and press Save; the orders are fetched again by Order Create.</source>
        <translation>Bu N11 adres adları yerel adres ağacıyla eşleşmedi, bu yüzden siparişleri yazılmadı. Her biri için yerel il / ilçe / mahalleyi seçip Kaydet&apos;e basın; siparişler Sipariş Oluşturma ile yeniden alınır.</translation>
    </message>
    <message>
        <source>Level</source>
        <translation>Düzey</translation>
    </message>
    <message>
        <source>N11 name (code)</source>
        <translation>N11 adı (kod)</translation>
    </message>
    <message>
        <source>Parent</source>
        <translation>Üst</translation>
    </message>
    <message>
        <source>Local node:</source>
        <translation>Yerel düğüm:</translation>
    </message>
    <message>
        <source>Save mapping</source>
        <translation>Eşleştirmeyi kaydet</translation>
    </message>
    <message>
        <source>Add as new local node</source>
        <translation>Yeni yerel düğüm olarak ekle</translation>
    </message>
    <message>
        <source>Add the N11 name to the local address tree under its parent and map it</source>
        <translation>N11 adını yerel adres ağacına üstünün altına ekler ve eşleştirir</translation>
    </message>
    <message>
        <source>Nothing left to map.</source>
        <translation>Eşleştirilecek bir şey kalmadı.</translation>
    </message>
    <message>
        <source>%1 name(s) to map.</source>
        <translation>Eşleştirilecek %1 ad.</translation>
    </message>
    <message>
        <source>Choose an entry and a local node first.</source>
        <translation>Önce bir kayıt ve bir yerel düğüm seçin.</translation>
    </message>
    <message>
        <source>%1 %2 → %3 saved.</source>
        <translation>%1 %2 → %3 kaydedildi.</translation>
    </message>
    <message>
        <source>Not saved: %1</source>
        <translation>Kaydedilmedi: %1</translation>
    </message>
    <message>
        <source>Choose an entry first.</source>
        <translation>Önce bir kayıt seçin.</translation>
    </message>
    <message>
        <source>%1 %2 added to the local address tree and mapped.</source>
        <translation>%1 %2 yerel adres ağacına eklendi ve eşleştirildi.</translation>
    </message>
    <message>
        <source>Not added: %1</source>
        <translation>Eklenmedi: %1</translation>
    </message>
</context>
<context>
    <name>AlarmMonitor</name>
    <message>
        <source>n11-desktop alarms</source>
        <translation>n11-desktop alarmları</translation>
    </message>
    <message>
        <source>Alarm: %1</source>
        <translation>Alarm: %1</translation>
    </message>
</context>
<context>
    <name>AlarmsTab</name>
    <message>
        <source>&lt;b&gt;Alarms&lt;/b&gt;</source>
        <translation>&lt;b&gt;Alarmlar&lt;/b&gt;</translation>
    </message>
    <message>
        <source>State</source>
        <translation>Durum</translation>
    </message>
    <message>
        <source>● FIRING</source>
        <translation>● TETİKLENDİ</translation>
    </message>
    <message>
        <source>ok</source>
        <translation>normal</translation>
    </message>
    <message>
        <source>disabled</source>
        <translation>devre dışı</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>Ad</translation>
    </message>
    <message>
        <source>Condition</source>
        <translation>Koşul</translation>
    </message>
    <message>
        <source>Last fired (UTC)</source>
        <translation>Son tetiklenme (UTC)</translation>
    </message>
    <message>
        <source>New alarm</source>
        <translation>Yeni alarm</translation>
    </message>
    <message>
        <source>Disable</source>
        <translation>Devre dışı bırak</translation>
    </message>
    <message>
        <source>Delete</source>
        <translation>Sil</translation>
    </message>
    <message>
        <source>Check now</source>
        <translation>Şimdi kontrol et</translation>
    </message>
    <message>
        <source>&lt;b&gt;History&lt;/b&gt;</source>
        <translation>&lt;b&gt;Geçmiş&lt;/b&gt;</translation>
    </message>
    <message>
        <source>Fired (UTC)</source>
        <translation>Tetiklenme (UTC)</translation>
    </message>
    <message>
        <source>Cleared (UTC)</source>
        <translation>Temizlenme (UTC)</translation>
    </message>
    <message>
        <source>still firing</source>
        <translation>hâlâ tetikli</translation>
    </message>
    <message>
        <source>Alarm</source>
        <translation>Alarm</translation>
    </message>
    <message>
        <source>What happened</source>
        <translation>Ne oldu</translation>
    </message>
    <message>
        <source>e.g. Stock not sent for 30 minutes</source>
        <translation>ör. 30 dakikadır stok gönderilmedi</translation>
    </message>
    <message>
        <source>Any flow</source>
        <translation>Herhangi bir akış</translation>
    </message>
    <message>
        <source>Enabled</source>
        <translation>Etkin</translation>
    </message>
    <message>
        <source>Kind</source>
        <translation>Tür</translation>
    </message>
    <message>
        <source>Flow</source>
        <translation>Akış</translation>
    </message>
    <message>
        <source>Create alarm</source>
        <translation>Alarm oluştur</translation>
    </message>
    <message>
        <source>An alarm fires once when its condition starts to hold (shown in the status bar, here and as a desktop notification) and clears by itself when the condition no longer holds. Conditions are checked every minute and after every flow run.</source>
        <translation>Bir alarm, koşulu gerçekleşmeye başladığında bir kez tetiklenir (durum çubuğunda, burada ve masaüstü bildirimi olarak gösterilir) ve koşul ortadan kalkınca kendiliğinden temizlenir. Koşullar her dakika ve her akış çalışmasından sonra kontrol edilir.</translation>
    </message>
    <message>
        <source>&lt;span style=&apos;color:#c0392b&apos;&gt;&lt;b&gt;%1 alarm(s) firing:&lt;/b&gt; </source>
        <translation>&lt;span style=&apos;color:#c0392b&apos;&gt;&lt;b&gt;%1 alarm tetiklendi:&lt;/b&gt; </translation>
    </message>
    <message>
        <source>All alarms are quiet.</source>
        <translation>Tüm alarmlar sakin.</translation>
    </message>
    <message>
        <source>No alarms yet. Create one on the right: for example, when a flow keeps failing.</source>
        <translation>Henüz alarm yok. Sağdan bir tane oluşturun: örneğin bir akış sürekli başarısız olduğunda.</translation>
    </message>
    <message>
        <source>Edit alarm: %1</source>
        <translation>Alarmı düzenle: %1</translation>
    </message>
    <message>
        <source>Save changes</source>
        <translation>Değişiklikleri kaydet</translation>
    </message>
    <message>
        <source>Enable</source>
        <translation>Etkinleştir</translation>
    </message>
</context>
<context>
    <name>AttributeMappingPanel</name>
    <message>
        <source>N11 attributes of the mapped category</source>
        <translation>Eşleştirilen kategorinin N11 özellikleri</translation>
    </message>
    <message>
        <source>N11 attribute</source>
        <translation>N11 özelliği</translation>
    </message>
    <message>
        <source>N11 flags</source>
        <translation>N11 işaretleri</translation>
    </message>
    <message>
        <source>required</source>
        <translation>zorunlu</translation>
    </message>
    <message>
        <source>variant</source>
        <translation>varyant</translation>
    </message>
    <message>
        <source>slicer</source>
        <translation>filtre</translation>
    </message>
    <message>
        <source>free text ok</source>
        <translation>serbest metin olur</translation>
    </message>
    <message>
        <source>Local attribute</source>
        <translation>Yerel özellik</translation>
    </message>
    <message>
        <source>— default: %1</source>
        <translation>— varsayılan: %1</translation>
    </message>
    <message>
        <source>— not mapped</source>
        <translation>— eşleştirilmedi</translation>
    </message>
    <message>
        <source>Rule</source>
        <translation>Kural</translation>
    </message>
    <message>
        <source>all categories</source>
        <translation>tüm kategoriler</translation>
    </message>
    <message>
        <source>this category only</source>
        <translation>yalnızca bu kategori</translation>
    </message>
    <message>
        <source>built-in (brand)</source>
        <translation>yerleşik (marka)</translation>
    </message>
    <message>
        <source>Values</source>
        <translation>Değerler</translation>
    </message>
    <message>
        <source>Local attribute:</source>
        <translation>Yerel özellik:</translation>
    </message>
    <message>
        <source>for all categories (global)</source>
        <translation>tüm kategoriler için (genel)</translation>
    </message>
    <message>
        <source>for this N11 category only</source>
        <translation>yalnızca bu N11 kategorisi için</translation>
    </message>
    <message>
        <source>Global suits Color, Brand, Gender; scope Size per category (Beden in clothing, Numara in shoes)</source>
        <translation>Renk, Marka, Cinsiyet için genel uygundur; Beden&apos;i kategoriye göre kapsamlandırın (giyimde Beden, ayakkabıda Numara)</translation>
    </message>
    <message>
        <source>Save rule</source>
        <translation>Kuralı kaydet</translation>
    </message>
    <message>
        <source>Remove rule</source>
        <translation>Kuralı kaldır</translation>
    </message>
    <message>
        <source>Default when a product has no value:</source>
        <translation>Ürünün değeri yoksa varsayılan:</translation>
    </message>
    <message>
        <source>choose N11&apos;s value…</source>
        <translation>N11 değerini seçin…</translation>
    </message>
    <message>
        <source>For N11 attributes the catalog does not carry (Menşei, Cinsiyet, …): sent for every product without its own value</source>
        <translation>Katalogda olmayan N11 özellikleri için (Menşei, Cinsiyet, …): kendi değeri olmayan her ürün için gönderilir</translation>
    </message>
    <message>
        <source>Set default</source>
        <translation>Varsayılanı belirle</translation>
    </message>
    <message>
        <source>Remove default</source>
        <translation>Varsayılanı kaldır</translation>
    </message>
    <message>
        <source>N11 attributes</source>
        <translation>N11 özellikleri</translation>
    </message>
    <message>
        <source>Map the category first; its N11 attributes then appear here.</source>
        <translation>Önce kategoriyi eşleştirin; N11 özellikleri sonra burada görünür.</translation>
    </message>
    <message>
        <source>N11 attributes of “%1”</source>
        <translation>“%1” N11 özellikleri</translation>
    </message>
    <message>
        <source>Loading the attributes of this N11 category from N11…</source>
        <translation>Bu N11 kategorisinin özellikleri N11&apos;den yükleniyor…</translation>
    </message>
    <message>
        <source>%1 attributes, %2 required.</source>
        <translation>%1 özellik, %2 zorunlu.</translation>
    </message>
    <message>
        <source>Required but not fed by any local attribute: %1 (map a local attribute, or set a default below).</source>
        <translation>Zorunlu ama hiçbir yerel özellikten beslenmiyor: %1 (bir yerel özellik eşleştirin veya aşağıda bir varsayılan belirleyin).</translation>
    </message>
    <message>
        <source>From defaults: %1.</source>
        <translation>Varsayılanlardan: %1.</translation>
    </message>
    <message>
        <source>Local attributes not used here: %1.</source>
        <translation>Burada kullanılmayan yerel özellikler: %1.</translation>
    </message>
    <message>
        <source>Type or choose the local attribute that feeds this N11 attribute.</source>
        <translation>Bu N11 özelliğini besleyen yerel özelliği yazın veya seçin.</translation>
    </message>
    <message>
        <source>Choose one of N11&apos;s values for %1 as its default.</source>
        <translation>%1 için varsayılan olarak N11 değerlerinden birini seçin.</translation>
    </message>
    <message>
        <source>no values in the catalog</source>
        <translation>katalogda değer yok</translation>
    </message>
    <message>
        <source>%1 value</source>
        <translation>%1 değer</translation>
    </message>
    <message>
        <source>%1 values</source>
        <translation>%1 değer</translation>
    </message>
    <message>
        <source>%1 not sendable</source>
        <translation>%1 gönderilemez</translation>
    </message>
    <message>
        <source>all sendable</source>
        <translation>tümü gönderilebilir</translation>
    </message>
</context>
<context>
    <name>AuditDialog</name>
    <message>
        <source>History of changes</source>
        <translation>Değişiklik geçmişi</translation>
    </message>
    <message>
        <source>Show:</source>
        <translation>Göster:</translation>
    </message>
    <message>
        <source>All changes</source>
        <translation>Tüm değişiklikler</translation>
    </message>
    <message>
        <source>Channel Settings</source>
        <translation>Kanal Ayarları</translation>
    </message>
    <message>
        <source>Mapping</source>
        <translation>Eşleştirme</translation>
    </message>
    <message>
        <source>Schedules</source>
        <translation>Çalışma zamanları</translation>
    </message>
    <message>
        <source>When (UTC)</source>
        <translation>Zaman (UTC)</translation>
    </message>
    <message>
        <source>Operator</source>
        <translation>Operatör</translation>
    </message>
    <message>
        <source>Area</source>
        <translation>Alan</translation>
    </message>
    <message>
        <source>Action</source>
        <translation>İşlem</translation>
    </message>
    <message>
        <source>Object</source>
        <translation>Nesne</translation>
    </message>
    <message>
        <source>What changed</source>
        <translation>Ne değişti</translation>
    </message>
    <message>
        <source>The operator is the OS user@host of the app that made the change, or the name set in Preferences. A change based on data someone else changed meanwhile is refused, never applied.</source>
        <translation>Operatör, değişikliği yapan uygulamanın işletim sistemi kullanıcı@makine adı ya da Tercihler&apos;de verilen addır. Başka birinin bu arada değiştirdiği verilere dayanan bir değişiklik reddedilir, asla uygulanmaz.</translation>
    </message>
    <message>
        <source>Refresh</source>
        <translation>Yenile</translation>
    </message>
    <message numerus="yes">
        <source>%n change(s)</source>
        <translation>
            <numerusform>%n değişiklik</numerusform>
        </translation>
    </message>
    <message>
        <source>the newest %1 changes</source>
        <translation>en yeni %1 değişiklik</translation>
    </message>
    <message>
        <source>Could not load the history: %1</source>
        <translation>Geçmiş yüklenemedi: %1</translation>
    </message>
</context>
<context>
    <name>CancelDialog</name>
    <message>
        <source>Cancel lines (partial cancellation)</source>
        <translation>Kalemleri iptal et (kısmi iptal)</translation>
    </message>
    <message>
        <source>Quantities to cancel. The cancellation is sent to N11 with the Cancellation Reason Type Id of the channel settings (61–65). Only lines not yet shipped can be cancelled.</source>
        <translation>İptal edilecek miktarlar. İptal, kanal ayarlarındaki İptal Nedeni Türü ID&apos;si (61–65) ile N11&apos;e gönderilir. Yalnızca henüz kargoya verilmemiş kalemler iptal edilebilir.</translation>
    </message>
    <message>
        <source>Line</source>
        <translation>Kalem</translation>
    </message>
    <message>
        <source>Product</source>
        <translation>Ürün</translation>
    </message>
    <message>
        <source>Open qty</source>
        <translation>Açık miktar</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>İptal</translation>
    </message>
</context>
<context>
    <name>CancellationMapEditor</name>
    <message>
        <source>No mappings: every N11 reason uses the Cancellation Reason Id.</source>
        <translation>Eşleştirme yok: her N11 nedeni İptal Nedeni ID&apos;sini kullanır.</translation>
    </message>
    <message>
        <source>Add mapping</source>
        <translation>Eşleştirme ekle</translation>
    </message>
    <message>
        <source>No reasons known yet</source>
        <translation>Henüz bilinen neden yok</translation>
    </message>
    <message>
        <source>N11 reason id or code</source>
        <translation>N11 neden numarası veya kodu</translation>
    </message>
    <message>
        <source>The reason exactly as N11 sends it in claims (an id such as 501 or a code such as VAZGECTIM)</source>
        <translation>N11&apos;in taleplerde gönderdiği haliyle neden (501 gibi bir numara veya VAZGECTIM gibi bir kod)</translation>
    </message>
    <message>
        <source>Pick</source>
        <translation>Seç</translation>
    </message>
    <message>
        <source>Reasons seen in claims so far and N11&apos;s reason list</source>
        <translation>Şimdiye kadar taleplerde görülen nedenler ve N11&apos;in neden listesi</translation>
    </message>
    <message>
        <source>Remove</source>
        <translation>Kaldır</translation>
    </message>
    <message>
        <source>→ local</source>
        <translation>→ yerel</translation>
    </message>
    <message>
        <source>Cancellation Map: row %1 has no N11 reason id or code</source>
        <translation>İptal Eşleştirmesi: %1. satırda N11 neden numarası veya kodu yok</translation>
    </message>
    <message>
        <source>Cancellation Map: row %1: N11 reason %2 must be 1-64 printable characters</source>
        <translation>İptal Eşleştirmesi: %1. satır: N11 nedeni %2 1-64 yazdırılabilir karakter olmalı</translation>
    </message>
    <message>
        <source>Cancellation Map: N11 reason %1 is mapped twice</source>
        <translation>İptal Eşleştirmesi: N11 nedeni %1 iki kez eşleştirilmiş</translation>
    </message>
    <message>
        <source>Cancellation Map: row %1 (N11 reason %2) has no local reason</source>
        <translation>İptal Eşleştirmesi: %1. satırın (N11 nedeni %2) yerel nedeni yok</translation>
    </message>
</context>
<context>
    <name>CargoMappingDialog</name>
    <message>
        <source>Cargo mapping</source>
        <translation>Kargo eşleştirme</translation>
    </message>
    <message>
        <source>Orders take the first active local cargo company mapped to the N11 shipment company of the package, unless Cargo Company Id is set in Channel Settings. A package whose company is not mapped is not written (the log says which company).</source>
        <translation>Kanal Ayarlarında Kargo Firması ID&apos;si belirlenmedikçe siparişler, paketin N11 kargo firmasıyla eşleştirilmiş ilk etkin yerel kargo firmasını alır. Firması eşleştirilmemiş bir paket yazılmaz (günlük hangi firma olduğunu söyler).</translation>
    </message>
    <message>
        <source>Local id</source>
        <translation>Yerel ID</translation>
    </message>
    <message>
        <source>Local cargo company</source>
        <translation>Yerel kargo firması</translation>
    </message>
    <message>
        <source>Code</source>
        <translation>Kod</translation>
    </message>
    <message>
        <source>N11 shipment company</source>
        <translation>N11 kargo firması</translation>
    </message>
    <message>
        <source>Add company</source>
        <translation>Firma ekle</translation>
    </message>
    <message>
        <source>Save</source>
        <translation>Kaydet</translation>
    </message>
    <message>
        <source>— not mapped —</source>
        <translation>— eşleştirilmedi —</translation>
    </message>
    <message>
        <source>row %1: the local cargo company id %2 is not a number</source>
        <translation>satır %1: yerel kargo firması ID&apos;si %2 bir sayı değil</translation>
    </message>
    <message>
        <source>Not saved: %1</source>
        <translation>Kaydedilmedi: %1</translation>
    </message>
    <message>
        <source>Saved (%1 changed). New orders use this mapping from the next Order Create.</source>
        <translation>Kaydedildi (%1 değişti). Yeni siparişler bir sonraki Sipariş Oluşturma&apos;dan itibaren bu eşleştirmeyi kullanır.</translation>
    </message>
</context>
<context>
    <name>CategoryBrowser</name>
    <message>
        <source>No N11 categories yet — set Category Ids in Channel Settings and run Category Node (button above). The tree of each main category then appears here.</source>
        <translation>Henüz N11 kategorisi yok — Kanal Ayarlarında Kategori ID&apos;lerini belirleyin ve Kategori Ağacı&apos;nı çalıştırın (yukarıdaki düğme). Her ana kategorinin ağacı burada görünür.</translation>
    </message>
    <message>
        <source>No local categories yet — import the catalog (Products tab or `n11-desktop catalog import`).</source>
        <translation>Henüz yerel kategori yok — kataloğu içe aktarın (Ürünler sekmesi veya `n11-desktop catalog import`).</translation>
    </message>
    <message>
        <source>Local categories (your catalog)</source>
        <translation>Yerel kategoriler (kataloğunuz)</translation>
    </message>
    <message>
        <source>Filter local categories (try “unmapped”)…</source>
        <translation>Yerel kategorileri filtrele (“unmapped” deneyin)…</translation>
    </message>
    <message>
        <source>Local category</source>
        <translation>Yerel kategori</translation>
    </message>
    <message>
        <source>Products</source>
        <translation>Ürünler</translation>
    </message>
    <message>
        <source>N11 category</source>
        <translation>N11 kategorisi</translation>
    </message>
    <message>
        <source>— not mapped</source>
        <translation>— eşleştirilmedi</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>Durum</translation>
    </message>
    <message>
        <source>✔ mapped</source>
        <translation>✔ eşleştirildi</translation>
    </message>
    <message>
        <source>✖ unmapped</source>
        <translation>✖ eşleştirilmedi</translation>
    </message>
    <message>
        <source>⚠ remap</source>
        <translation>⚠ yeniden eşleştir</translation>
    </message>
    <message>
        <source>N11 categories</source>
        <translation>N11 kategorileri</translation>
    </message>
    <message>
        <source>Search N11 categories (Turkish letters optional: “kadin sneaker”)…</source>
        <translation>N11 kategorilerinde ara (Türkçe harfler isteğe bağlı: “kadin sneaker”)…</translation>
    </message>
    <message>
        <source>%1 nodes, %2 leaves under Category Ids %3. Products go only into leaves (shown with their id); green = mapped.</source>
        <translation>Kategori ID&apos;leri %3 altında %1 düğüm, %2 alt kategori. Ürünler yalnızca alt kategorilere girer (ID&apos;leriyle gösterilir); yeşil = eşleştirildi.</translation>
    </message>
    <message>
        <source>%1 of %2 mapped · %3 of %4 products have an N11 category · %5 attribute rules, %6 value maps</source>
        <translation>%2 kategoriden %1 tanesi eşleştirildi · %4 üründen %3 tanesinin N11 kategorisi var · %5 özellik kuralı, %6 değer eşleştirmesi</translation>
    </message>
    <message>
        <source>%1 to remap</source>
        <translation>%1 yeniden eşleştirilecek</translation>
    </message>
    <message>
        <source>No N11 category matches “%1”.</source>
        <translation>“%1” ile eşleşen N11 kategorisi yok.</translation>
    </message>
</context>
<context>
    <name>CategoryMappingPage</name>
    <message>
        <source>Select a local category on the left.</source>
        <translation>Soldan bir yerel kategori seçin.</translation>
    </message>
    <message>
        <source>Map to selected N11 category</source>
        <translation>Seçili N11 kategorisiyle eşleştir</translation>
    </message>
    <message>
        <source>Remove mapping</source>
        <translation>Eşleştirmeyi kaldır</translation>
    </message>
    <message>
        <source>Pick the N11 leaf in the tree, then Map (or double-click the leaf). A product can be in only one N11 category, so each local category maps to exactly one leaf.</source>
        <translation>Ağaçta N11 alt kategorisini seçin, sonra Eşleştir&apos;e basın (veya alt kategoriye çift tıklayın). Bir ürün yalnızca bir N11 kategorisinde olabilir, bu yüzden her yerel kategori tam olarak bir alt kategoriyle eşleşir.</translation>
    </message>
    <message>
        <source>✔ Mapped to this N11 category</source>
        <translation>✔ Bu N11 kategorisiyle eşleştirildi</translation>
    </message>
    <message>
        <source>Replace mapping with “%1”</source>
        <translation>Eşleştirmeyi “%1” ile değiştir</translation>
    </message>
    <message>
        <source>Map to “%1”</source>
        <translation>“%1” ile eşleştir</translation>
    </message>
    <message>
        <source>%1  ·  %2 product</source>
        <translation>%1  ·  %2 ürün</translation>
    </message>
    <message>
        <source>%1  ·  %2 products</source>
        <translation>%1  ·  %2 ürün</translation>
    </message>
    <message>
        <source>&lt;span style=&apos;color:#b3261e&apos;&gt;&lt;b&gt;Not mapped.&lt;/b&gt;&lt;/span&gt; Products of this category cannot be sent until it has an N11 leaf category.</source>
        <translation>&lt;span style=&apos;color:#b3261e&apos;&gt;&lt;b&gt;Eşleştirilmedi.&lt;/b&gt;&lt;/span&gt; Bu kategorinin ürünleri, bir N11 alt kategorisi olana kadar gönderilemez.</translation>
    </message>
    <message>
        <source>Mapped to &lt;b&gt;%1&lt;/b&gt; (%2)&lt;br&gt;&lt;span style=&apos;color:#555&apos;&gt;%3&lt;/span&gt;</source>
        <translation>&lt;b&gt;%1&lt;/b&gt; (%2) ile eşleştirildi&lt;br&gt;&lt;span style=&apos;color:#555&apos;&gt;%3&lt;/span&gt;</translation>
    </message>
    <message>
        <source>&lt;b&gt;Suggested N11 categories&lt;/b&gt; (the best one is selected in the tree — press Map if it is right):&lt;ol style=&apos;margin-top:4px&apos;&gt;</source>
        <translation>&lt;b&gt;Önerilen N11 kategorileri&lt;/b&gt; (en iyisi ağaçta seçili — doğruysa Eşleştir&apos;e basın):&lt;ol style=&apos;margin-top:4px&apos;&gt;</translation>
    </message>
    <message>
        <source>Loaded %1 attributes and %2 values of N11 category %3.</source>
        <translation>N11 kategorisi %3 için %1 özellik ve %2 değer yüklendi.</translation>
    </message>
    <message>
        <source>⚠ Could not load the attributes of N11 category %1: %2. Check Channel Settings, then run Category Attributes.</source>
        <translation>⚠ N11 kategorisi %1 özellikleri yüklenemedi: %2. Kanal Ayarlarını kontrol edin, sonra Kategori Özelliklerini çalıştırın.</translation>
    </message>
    <message>
        <source>&lt;span style=&apos;color:#b3261e&apos;&gt;Select a local category first.&lt;/span&gt;</source>
        <translation>&lt;span style=&apos;color:#b3261e&apos;&gt;Önce bir yerel kategori seçin.&lt;/span&gt;</translation>
    </message>
    <message>
        <source>&lt;span style=&apos;color:#b3261e&apos;&gt;Select an N11 category in the tree first.&lt;/span&gt;</source>
        <translation>&lt;span style=&apos;color:#b3261e&apos;&gt;Önce ağaçta bir N11 kategorisi seçin.&lt;/span&gt;</translation>
    </message>
    <message>
        <source>&lt;span style=&apos;color:#b3261e&apos;&gt;✖ “%1” is not a leaf category: N11 accepts products only in leaf (last-level) categories. Open it and choose one of its sub-categories.&lt;/span&gt;</source>
        <translation>&lt;span style=&apos;color:#b3261e&apos;&gt;✖ “%1” bir alt kategori değil: N11 ürünleri yalnızca en alt düzey kategorilerde kabul eder. Açın ve alt kategorilerinden birini seçin.&lt;/span&gt;</translation>
    </message>
    <message>
        <source>&lt;span style=&apos;color:#b3261e&apos;&gt;✖ “%1” was removed by N11.&lt;/span&gt;</source>
        <translation>&lt;span style=&apos;color:#b3261e&apos;&gt;✖ “%1” N11 tarafından kaldırıldı.&lt;/span&gt;</translation>
    </message>
    <message>
        <source>(a product can be in only one N11 category, so the previous mapping was replaced)</source>
        <translation>(bir ürün yalnızca bir N11 kategorisinde olabilir, bu yüzden önceki eşleştirme değiştirildi)</translation>
    </message>
</context>
<context>
    <name>CategoryOverrideDialog</name>
    <message>
        <source>Set N11 category</source>
        <translation>N11 kategorisi belirle</translation>
    </message>
    <message>
        <source>the selected product</source>
        <translation>seçili ürünü</translation>
    </message>
    <message>
        <source>the %1 selected products</source>
        <translation>seçili %1 ürünü</translation>
    </message>
    <message>
        <source>Put %1 in this N11 leaf category, whatever their local category maps to. Use it when N11 says “The product is listed in the category … with category ID …”: enter that ID and the product is resent with it.</source>
        <translation>Yerel kategorisi neyle eşleşirse eşleşsin, %1 bu N11 alt kategorisine koyun. N11 “Ürün … kategorisinde, kategori ID …” dediğinde kullanın: o ID&apos;yi girin, ürün bu kategoriyle yeniden gönderilir.</translation>
    </message>
    <message>
        <source>Search leaf categories by name, path or id…</source>
        <translation>Alt kategorileri ada, yola veya ID&apos;ye göre ara…</translation>
    </message>
    <message>
        <source>N11 leaf category id, e.g. 1000722</source>
        <translation>N11 alt kategori ID&apos;si, ör. 1000722</translation>
    </message>
    <message>
        <source>N11 category id:</source>
        <translation>N11 kategori ID&apos;si:</translation>
    </message>
    <message>
        <source>Set category</source>
        <translation>Kategoriyi belirle</translation>
    </message>
    <message>
        <source>No N11 category tree yet (run Category Node); you can still type an id.</source>
        <translation>Henüz N11 kategori ağacı yok (Kategori Ağacı akışını çalıştırın); yine de bir ID yazabilirsiniz.</translation>
    </message>
    <message>
        <source>%1 leaves match; showing the first %2</source>
        <translation>%1 alt kategori eşleşiyor; ilk %2 gösteriliyor</translation>
    </message>
    <message>
        <source>%1 of %2 leaves</source>
        <translation>%1 / %2 alt kategori</translation>
    </message>
</context>
<context>
    <name>ChangesPage</name>
    <message>
        <source>Run Compare Attributes to see what changed on N11 and which mappings it breaks.</source>
        <translation>N11&apos;de neyin değiştiğini ve hangi eşleştirmeleri bozduğunu görmek için Özellikleri Karşılaştır&apos;ı çalıştırın.</translation>
    </message>
    <message>
        <source>&lt;b&gt;Last Compare Attributes&lt;/b&gt; (%1 UTC): %2. Broken mappings and catalog values first, then removed and renamed N11 values, then new ones.</source>
        <translation>&lt;b&gt;Son Özellikleri Karşılaştır&lt;/b&gt; (%1 UTC): %2. Önce bozulan eşleştirmeler ve katalog değerleri, sonra kaldırılan ve yeniden adlandırılan N11 değerleri, sonra yeniler.</translation>
    </message>
    <message>
        <source>catalog value</source>
        <translation>katalog değeri</translation>
    </message>
    <message>
        <source>%1 mapping</source>
        <translation>%1 eşleştirmesi</translation>
    </message>
    <message>
        <source>No changes on N11 since the last run.</source>
        <translation>Son çalışmadan bu yana N11&apos;de değişiklik yok.</translation>
    </message>
</context>
<context>
    <name>ChoiceEditor</name>
    <message>
        <source>— not set —</source>
        <translation>— belirlenmedi —</translation>
    </message>
    <message>
        <source>%1 (not in the list)</source>
        <translation>%1 (listede yok)</translation>
    </message>
</context>
<context>
    <name>CollectionDialog</name>
    <message>
        <source>Request pick-up</source>
        <translation>Kargo alımı iste</translation>
    </message>
    <message>
        <source>Horoz, Ceva and Borusan collect approved packages at your warehouse once asked.</source>
        <translation>Horoz, Ceva ve Borusan, istendiğinde onaylı paketleri deponuzdan teslim alır.</translation>
    </message>
    <message>
        <source>volumetric weight, e.g. 2.5</source>
        <translation>hacimsel ağırlık, ör. 2,5</translation>
    </message>
    <message>
        <source>Boxes</source>
        <translation>Koli</translation>
    </message>
    <message>
        <source>Desi</source>
        <translation>Desi</translation>
    </message>
</context>
<context>
    <name>ControlPage</name>
    <message>
        <source>category not mapped</source>
        <translation>kategori eşleştirilmedi</translation>
    </message>
    <message>
        <source>required attribute missing</source>
        <translation>zorunlu özellik eksik</translation>
    </message>
    <message>
        <source>value not in N11&apos;s list</source>
        <translation>değer N11 listesinde yok</translation>
    </message>
    <message>
        <source>no price</source>
        <translation>fiyat yok</translation>
    </message>
    <message>
        <source>no stock</source>
        <translation>stok yok</translation>
    </message>
    <message>
        <source>no image</source>
        <translation>görsel yok</translation>
    </message>
    <message>
        <source>attributes not loaded</source>
        <translation>özellikler yüklenmedi</translation>
    </message>
    <message>
        <source>category to remap</source>
        <translation>yeniden eşleştirilecek kategori</translation>
    </message>
    <message>
        <source>title too short</source>
        <translation>başlık çok kısa</translation>
    </message>
    <message>
        <source>no shipment template</source>
        <translation>kargo şablonu yok</translation>
    </message>
    <message>
        <source>no description</source>
        <translation>açıklama yok</translation>
    </message>
    <message>
        <source>Exactly what would be sent to N11 for a product, and what is missing — before anything is sent.</source>
        <translation>Bir ürün için N11&apos;e tam olarak ne gönderileceği ve neyin eksik olduğu — hiçbir şey gönderilmeden önce.</translation>
    </message>
    <message>
        <source>Find a product by SKU or title (the list starts with products that cannot be sent)…</source>
        <translation>SKU veya başlığa göre ürün bulun (liste gönderilemeyen ürünlerle başlar)…</translation>
    </message>
    <message>
        <source>Find</source>
        <translation>Bul</translation>
    </message>
    <message>
        <source>Pick a product.</source>
        <translation>Bir ürün seçin.</translation>
    </message>
    <message>
        <source>The product-create payload appears here.</source>
        <translation>Ürün oluşturma verisi burada görünür.</translation>
    </message>
    <message>
        <source>No products yet.</source>
        <translation>Henüz ürün yok.</translation>
    </message>
    <message>
        <source>%1 products — find one by SKU or title to check it.</source>
        <translation>%1 ürün — kontrol etmek için SKU veya başlığa göre birini bulun.</translation>
    </message>
    <message>
        <source>%1 of %2 products are ready to send.</source>
        <translation>%2 üründen %1 tanesi gönderilmeye hazır.</translation>
    </message>
    <message>
        <source>Most common problems: %1</source>
        <translation>En sık sorunlar: %1</translation>
    </message>
    <message>
        <source>ready to send</source>
        <translation>gönderilmeye hazır</translation>
    </message>
    <message>
        <source>No product matches.</source>
        <translation>Eşleşen ürün yok.</translation>
    </message>
    <message>
        <source>not sendable: %1 problem(s)</source>
        <translation>gönderilemez: %1 sorun</translation>
    </message>
    <message>
        <source>%1 · field %2</source>
        <translation>%1 · alan %2</translation>
    </message>
    <message>
        <source>No problems: this is exactly what product-create would send.</source>
        <translation>Sorun yok: ürün oluşturma tam olarak bunu gönderir.</translation>
    </message>
    <message>
        <source>&lt;b&gt;Attributes sent:&lt;/b&gt; </source>
        <translation>&lt;b&gt;Gönderilen özellikler:&lt;/b&gt; </translation>
    </message>
    <message>
        <source>&lt;b&gt;Attributes sent:&lt;/b&gt; none</source>
        <translation>&lt;b&gt;Gönderilen özellikler:&lt;/b&gt; yok</translation>
    </message>
    <message>
        <source>draft — not sent while problems remain</source>
        <translation>taslak — sorunlar sürdükçe gönderilmez</translation>
    </message>
</context>
<context>
    <name>CustomFieldsEditor</name>
    <message>
        <source>No custom fields yet (e.g. values your ERP needs, like a store code).</source>
        <translation>Henüz özel alan yok (ör. ERP&apos;nizin ihtiyaç duyduğu mağaza kodu gibi değerler).</translation>
    </message>
    <message>
        <source>Add field</source>
        <translation>Alan ekle</translation>
    </message>
    <message>
        <source>field (e.g. store_code)</source>
        <translation>alan (ör. store_code)</translation>
    </message>
    <message>
        <source>key (e.g. StoreCode)</source>
        <translation>anahtar (ör. StoreCode)</translation>
    </message>
    <message>
        <source>label</source>
        <translation>etiket</translation>
    </message>
    <message>
        <source>required</source>
        <translation>zorunlu</translation>
    </message>
    <message>
        <source>Remove</source>
        <translation>Kaldır</translation>
    </message>
</context>
<context>
    <name>DashboardTab</name>
    <message>
        <source>Last 24 hours</source>
        <translation>Son 24 saat</translation>
    </message>
    <message>
        <source>Last 7 days</source>
        <translation>Son 7 gün</translation>
    </message>
    <message>
        <source>Last 30 days</source>
        <translation>Son 30 gün</translation>
    </message>
    <message>
        <source>Last year</source>
        <translation>Son 1 yıl</translation>
    </message>
    <message>
        <source>No fix run yet (Fix Differences runs after each N11 State Sync).</source>
        <translation>Henüz düzeltme çalışması yok (Farkları Düzelt, her N11 Durum Eşitlemeden sonra çalışır).</translation>
    </message>
    <message>
        <source>Last fix run %1 UTC: found %2 · resent %3 · fixed %4 · still different %5 · explained %6</source>
        <translation>Son düzeltme %1 UTC: bulunan %2 · yeniden gönderilen %3 · düzelen %4 · hâlâ farklı %5 · açıklanan %6</translation>
    </message>
    <message>
        <source>%1: found %2 / fixed %3 / still different %4</source>
        <translation>%1: bulunan %2 / düzelen %3 / hâlâ farklı %4</translation>
    </message>
    <message>
        <source>Fix Differences (found / fixed / still different), latest first — </source>
        <translation>Farkları Düzelt (bulunan / düzelen / hâlâ farklı), en yeni önce — </translation>
    </message>
    <message>
        <source>&lt;b&gt;N11 at a glance&lt;/b&gt;</source>
        <translation>&lt;b&gt;Bir bakışta N11&lt;/b&gt;</translation>
    </message>
    <message>
        <source>Loading…</source>
        <translation>Yükleniyor…</translation>
    </message>
    <message>
        <source>Refresh from N11</source>
        <translation>N11&apos;den yenile</translation>
    </message>
    <message>
        <source>Run the N11 State Sync now: read every product of the store from N11 (on sale or not, prices, stock), then recompute the KPIs. It also runs by itself every 15 minutes and after N11 processed our changes.</source>
        <translation>N11 Durum Eşitlemeyi şimdi çalıştırır: mağazanın her ürününü N11&apos;den okur (satışta olsun olmasın, fiyatlar, stok), ardından göstergeleri yeniden hesaplar. Ayrıca her 15 dakikada bir ve N11 değişikliklerimizi işledikten sonra kendiliğinden çalışır.</translation>
    </message>
    <message>
        <source>Send products to N11…</source>
        <translation>Ürünleri N11&apos;e gönder…</translation>
    </message>
    <message>
        <source>Product triggering (seed §8): send selected SKUs to N11 now. This is for creating products; updates go through &apos;Update Bulk Product Version Date&apos; (penalty box CSV).</source>
        <translation>Ürün tetikleme: seçilen SKU&apos;ları hemen N11&apos;e gönderir. Bu, ürün oluşturmak içindir; güncellemeler &apos;Toplu ürün sürüm tarihi güncelle&apos; ile yapılır (Ceza Kutusu CSV&apos;si).</translation>
    </message>
    <message>
        <source>Catalog vs N11 over time (SKUs)</source>
        <translation>Zaman içinde katalog ve N11 (SKU)</translation>
    </message>
    <message>
        <source>Flow runs per hour</source>
        <translation>Saat başına akış çalışması</translation>
    </message>
    <message>
        <source>Send queue and penalty box</source>
        <translation>Gönderim kuyruğu ve Ceza Kutusu</translation>
    </message>
    <message>
        <source>Fix Differences runs after each N11 State Sync: it resends SKUs whose price or stock on N11 differs from ours, and counts what the previous runs fixed.</source>
        <translation>Farkları Düzelt, her N11 Durum Eşitlemeden sonra çalışır: N11&apos;deki fiyatı veya stoğu bizimkinden farklı olan SKU&apos;ları yeniden gönderir ve önceki çalışmaların neyi düzelttiğini sayar.</translation>
    </message>
    <message>
        <source>succeeded</source>
        <translation>başarılı</translation>
    </message>
    <message>
        <source>failed</source>
        <translation>başarısız</translation>
    </message>
    <message>
        <source>waiting to send</source>
        <translation>gönderilmeyi bekleyen</translation>
    </message>
    <message>
        <source>penalized</source>
        <translation>cezalı</translation>
    </message>
    <message>
        <source>Could not load the dashboard: %1</source>
        <translation>Gösterge paneli yüklenemedi: %1</translation>
    </message>
    <message>
        <source>N11 data not fetched yet</source>
        <translation>N11 verileri henüz alınmadı</translation>
    </message>
    <message>
        <source>Updated %1 UTC · %2</source>
        <translation>Güncellendi %1 UTC · %2</translation>
    </message>
    <message>
        <source>History fills in as KPI snapshots are taken (every 15 minutes while the app runs).</source>
        <translation>Geçmiş, gösterge anlık görüntüleri alındıkça dolar (uygulama çalışırken her 15 dakikada bir).</translation>
    </message>
    <message>
        <source>No flow has run in this period yet.</source>
        <translation>Bu dönemde henüz hiçbir akış çalışmadı.</translation>
    </message>
    <message>
        <source>The N11 catalog is empty: import products and add them to the catalog in the Products tab.</source>
        <translation>N11 kataloğu boş: Ürünler sekmesinde ürünleri içe aktarın ve kataloğa ekleyin.</translation>
    </message>
    <message>
        <source>N11 State Sync started: reading every product of the store from N11…</source>
        <translation>N11 Durum Eşitleme başladı: mağazanın her ürünü N11&apos;den okunuyor…</translation>
    </message>
    <message>
        <source>Asking N11 for the state of our products…</source>
        <translation>Ürünlerimizin durumu N11&apos;e soruluyor…</translation>
    </message>
    <message>
        <source>N11 State Sync: %1 — %2</source>
        <translation>N11 Durum Eşitleme: %1 — %2</translation>
    </message>
    <message>
        <source>Refresh from N11 failed: %1</source>
        <translation>N11&apos;den yenileme başarısız: %1</translation>
    </message>
    <message>
        <source>Send products to N11</source>
        <translation>Ürünleri N11&apos;e gönder</translation>
    </message>
    <message>
        <source>SKUs to create on N11 (one per line or comma-separated):</source>
        <translation>N11&apos;de oluşturulacak SKU&apos;lar (her satıra bir tane veya virgülle ayrılmış):</translation>
    </message>
    <message>
        <source>Product Create started for %1 SKU(s).</source>
        <translation>%1 SKU için Ürün Oluşturma başladı.</translation>
    </message>
    <message>
        <source>Product Create: %1 — %2 ok, %3 failed, %4 penalized. %5</source>
        <translation>Ürün Oluşturma: %1 — %2 başarılı, %3 başarısız, %4 cezalı. %5</translation>
    </message>
    <message>
        <source>Product Create failed: %1</source>
        <translation>Ürün Oluşturma başarısız: %1</translation>
    </message>
</context>
<context>
    <name>DateEditor</name>
    <message>
        <source>not set</source>
        <translation>belirlenmedi</translation>
    </message>
    <message>
        <source>Clear</source>
        <translation>Temizle</translation>
    </message>
</context>
<context>
    <name>DiffModel</name>
    <message>
        <source>Field</source>
        <extracomment>flows run by &quot;Send&quot; for products that exist on N11 already</extracomment>
        <translation>Alan</translation>
    </message>
    <message>
        <source>On N11 now</source>
        <translation>Şu an N11&apos;de</translation>
    </message>
    <message>
        <source>Will be sent</source>
        <translation>Gönderilecek</translation>
    </message>
</context>
<context>
    <name>FailedIntegrationEditor</name>
    <message>
        <source>Retry interval (s)</source>
        <translation>Yeniden deneme aralığı (sn)</translation>
    </message>
    <message>
        <source>Expiration (s)</source>
        <translation>Süre sonu (sn)</translation>
    </message>
    <message>
        <source>Max retries</source>
        <translation>En fazla deneme</translation>
    </message>
    <message>
        <source>&lt;b&gt;Content type&lt;/b&gt;</source>
        <translation>&lt;b&gt;İçerik türü&lt;/b&gt;</translation>
    </message>
    <message>
        <source>Expiration hour: time N11 has to return a result</source>
        <translation>Süre sonu saati: N11&apos;in sonuç döndürmesi gereken süre</translation>
    </message>
</context>
<context>
    <name>FlagsEditor</name>
    <message>
        <source>%1&lt;br&gt;&lt;span style=&apos;color:#666&apos;&gt;Runs: %2&lt;/span&gt;</source>
        <translation>%1&lt;br&gt;&lt;span style=&apos;color:#666&apos;&gt;Çalışma zamanı: %2&lt;/span&gt;</translation>
    </message>
    <message>
        <source>Can&apos;t switch on %1: first set %2</source>
        <translation>%1 açılamaz: önce %2 belirleyin</translation>
    </message>
    <message>
        <source>On, but needs %1</source>
        <translation>Açık, ancak %1 gerekiyor</translation>
    </message>
    <message>
        <source>Needs first: %1</source>
        <translation>Önce gerekli: %1</translation>
    </message>
</context>
<context>
    <name>FlowTableModel</name>
    <message>
        <source>Flow</source>
        <translation>Akış</translation>
    </message>
    <message>
        <source>Flag</source>
        <translation>Bayrak</translation>
    </message>
    <message>
        <source>Schedule</source>
        <translation>Zamanlama</translation>
    </message>
    <message>
        <source>Last run</source>
        <translation>Son çalışma</translation>
    </message>
    <message>
        <source>Result</source>
        <translation>Sonuç</translation>
    </message>
    <message>
        <source>Next run</source>
        <translation>Sonraki çalışma</translation>
    </message>
    <message>
        <source>Progress</source>
        <translation>İlerleme</translation>
    </message>
    <message>
        <source>never ran</source>
        <translation>hiç çalışmadı</translation>
    </message>
    <message>
        <source>%1 total, %2 ok</source>
        <translation>toplam %1, %2 başarılı</translation>
    </message>
    <message>
        <source>%1 failed</source>
        <translation>%1 başarısız</translation>
    </message>
    <message>
        <source>%1 penalized</source>
        <translation>%1 cezalı</translation>
    </message>
    <message>
        <source>on</source>
        <translation>açık</translation>
    </message>
    <message>
        <source>off</source>
        <translation>kapalı</translation>
    </message>
    <message>
        <source>running</source>
        <translation>çalışıyor</translation>
    </message>
    <message>
        <source>queued</source>
        <translation>kuyrukta</translation>
    </message>
    <message>
        <source>not available yet</source>
        <translation>henüz kullanılamaz</translation>
    </message>
    <message>
        <source>flag off</source>
        <translation>bayrak kapalı</translation>
    </message>
    <message>
        <source>scheduler off</source>
        <translation>zamanlayıcı kapalı</translation>
    </message>
    <message>
        <source>paused</source>
        <translation>duraklatıldı</translation>
    </message>
    <message>
        <source>on trigger</source>
        <translation>tetiklenince</translation>
    </message>
    <message>
        <source>due now</source>
        <translation>şimdi çalışacak</translation>
    </message>
    <message>
        <source>running…</source>
        <translation>çalışıyor…</translation>
    </message>
    <message>
        <source>%1 done</source>
        <translation>%1 tamamlandı</translation>
    </message>
    <message>
        <source>ETA %1</source>
        <translation>tahmini %1</translation>
    </message>
</context>
<context>
    <name>FlowsPanel</name>
    <message>
        <source>Scheduler: off</source>
        <translation>Zamanlayıcı: kapalı</translation>
    </message>
    <message>
        <source>Run now</source>
        <translation>Şimdi çalıştır</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>İptal</translation>
    </message>
    <message>
        <source>Pause all</source>
        <translation>Tümünü duraklat</translation>
    </message>
    <message>
        <source>Resume all</source>
        <translation>Tümünü sürdür</translation>
    </message>
    <message>
        <source>Schedule…</source>
        <translation>Zamanlama…</translation>
    </message>
    <message>
        <source>Change when the selected flow runs (interval or daily time, Europe/Istanbul), or reset it to the default</source>
        <translation>Seçili akışın ne zaman çalışacağını değiştirir (aralık veya günlük saat, Europe/Istanbul) ya da varsayılana döndürür</translation>
    </message>
    <message>
        <source>Run the selected flow now (after a run of it or its content type ends)</source>
        <translation>Seçili akışı şimdi çalıştırır (kendisinin veya aynı içerik türünün süren çalışması bitince)</translation>
    </message>
    <message>
        <source>Stop the selected flow at its next safe point</source>
        <translation>Seçili akışı bir sonraki güvenli noktada durdurur</translation>
    </message>
    <message>
        <source>Stop starting scheduled runs (running flows finish; Run now still works)</source>
        <translation>Zamanlanmış çalışmaları başlatmayı durdurur (çalışan akışlar biter; Şimdi çalıştır yine çalışır)</translation>
    </message>
    <message>
        <source>Start scheduled runs again; missed runs run once</source>
        <translation>Zamanlanmış çalışmaları yeniden başlatır; kaçırılan çalışmalar bir kez çalışır</translation>
    </message>
    <message>
        <source>The scheduler is not available in this build; flows run from the CLI.</source>
        <translation>Bu sürümde zamanlayıcı yok; akışlar komut satırından çalışır.</translation>
    </message>
    <message>
        <source>Select a flow first.</source>
        <translation>Önce bir akış seçin.</translation>
    </message>
    <message>
        <source>%1: run requested.</source>
        <translation>%1: çalıştırma istendi.</translation>
    </message>
    <message>
        <source>Could not read schedules: %1</source>
        <translation>Zamanlamalar okunamadı: %1</translation>
    </message>
    <message>
        <source>%1: stopping at the next safe point…</source>
        <translation>%1: bir sonraki güvenli noktada duruyor…</translation>
    </message>
    <message>
        <source>%1 is not running.</source>
        <translation>%1 çalışmıyor.</translation>
    </message>
    <message>
        <source>Scheduler: %1</source>
        <translation>Zamanlayıcı: %1</translation>
    </message>
</context>
<context>
    <name>ImportReportDialog</name>
    <message>
        <source>Preview import of %1</source>
        <translation>%1 içe aktarma önizlemesi</translation>
    </message>
    <message>
        <source>Imported %1</source>
        <translation>%1 içe aktarıldı</translation>
    </message>
    <message>
        <source>%1 rows. Importing would create &lt;b&gt;%2&lt;/b&gt; and update &lt;b&gt;%3&lt;/b&gt; products (%4 unchanged).</source>
        <translation>%1 satır. İçe aktarma &lt;b&gt;%2&lt;/b&gt; ürün oluşturacak ve &lt;b&gt;%3&lt;/b&gt; ürünü güncelleyecek (%4 değişmedi).</translation>
    </message>
    <message>
        <source>%1 products created, %2 updated, %3 unchanged.</source>
        <translation>%1 ürün oluşturuldu, %2 güncellendi, %3 değişmedi.</translation>
    </message>
    <message>
        <source>&lt;b&gt;%1 bad rows&lt;/b&gt; will be skipped — nothing from them is written. Fix them in the file and import it again.</source>
        <translation>&lt;b&gt;%1 hatalı satır&lt;/b&gt; atlanacak — bunlardan hiçbir şey yazılmaz. Dosyada düzeltip yeniden içe aktarın.</translation>
    </message>
    <message>
        <source>&lt;b&gt;%1 bad rows&lt;/b&gt; were skipped — nothing from them is written. Fix them in the file and import it again.</source>
        <translation>&lt;b&gt;%1 hatalı satır&lt;/b&gt; atlandı — bunlardan hiçbir şey yazılmadı. Dosyada düzeltip yeniden içe aktarın.</translation>
    </message>
    <message>
        <source>Every row is good.</source>
        <translation>Tüm satırlar sorunsuz.</translation>
    </message>
    <message>
        <source>Nothing has been written yet.</source>
        <translation>Henüz hiçbir şey yazılmadı.</translation>
    </message>
    <message>
        <source>Row</source>
        <translation>Satır</translation>
    </message>
    <message>
        <source>Column</source>
        <translation>Sütun</translation>
    </message>
    <message>
        <source>Problem</source>
        <translation>Sorun</translation>
    </message>
    <message>
        <source>file</source>
        <translation>dosya</translation>
    </message>
    <message>
        <source>new product</source>
        <translation>yeni ürün</translation>
    </message>
    <message>
        <source>Field</source>
        <translation>Alan</translation>
    </message>
    <message>
        <source>Now</source>
        <translation>Şu an</translation>
    </message>
    <message>
        <source>After import</source>
        <translation>İçe aktarma sonrası</translation>
    </message>
    <message>
        <source>Imported</source>
        <translation>İçe aktarılan</translation>
    </message>
    <message>
        <source>Changes (%1)</source>
        <translation>Değişiklikler (%1)</translation>
    </message>
    <message>
        <source>Bad rows (%1)</source>
        <translation>Hatalı satırlar (%1)</translation>
    </message>
    <message>
        <source>Bad rows (0)</source>
        <translation>Hatalı satırlar (0)</translation>
    </message>
    <message>
        <source>Imported, but N11 will refuse it until fixed</source>
        <translation>İçe aktarıldı, ancak düzeltilene kadar N11 reddedecek</translation>
    </message>
    <message>
        <source>Warnings (%1)</source>
        <translation>Uyarılar (%1)</translation>
    </message>
    <message>
        <source>Import %1 good row</source>
        <translation>%1 sorunsuz satırı içe aktar</translation>
    </message>
    <message>
        <source>Import %1 good rows</source>
        <translation>%1 sorunsuz satırı içe aktar</translation>
    </message>
    <message>
        <source>Nothing to import</source>
        <translation>İçe aktarılacak bir şey yok</translation>
    </message>
</context>
<context>
    <name>IntegerEditor</name>
    <message>
        <source>not set</source>
        <translation>belirlenmedi</translation>
    </message>
</context>
<context>
    <name>InvoiceDialog</name>
    <message>
        <source>Invoice link</source>
        <translation>Fatura bağlantısı</translation>
    </message>
    <message>
        <source>https:// link of the invoice document (PDF, PNG or JPEG, at most 2048 characters). It is sent to N11 by Send Invoice Link.</source>
        <translation>Fatura belgesinin https:// bağlantısı (PDF, PNG veya JPEG, en fazla 2048 karakter). Fatura Bağlantısı Gönder ile N11&apos;e gönderilir.</translation>
    </message>
</context>
<context>
    <name>JsonEditor</name>
    <message>
        <source>not valid JSON: line %1, column %2: %3</source>
        <translation>geçerli JSON değil: satır %1, sütun %2: %3</translation>
    </message>
    <message>
        <source>Valid JSON</source>
        <translation>Geçerli JSON</translation>
    </message>
    <message>
        <source>Empty (an empty object)</source>
        <translation>Boş (boş bir nesne)</translation>
    </message>
</context>
<context>
    <name>KpiCard</name>
    <message>
        <source>%1
Click to see the SKUs.</source>
        <translation>%1
SKU&apos;ları görmek için tıklayın.</translation>
    </message>
</context>
<context>
    <name>ListEditor</name>
    <message>
        <source>Add</source>
        <translation>Ekle</translation>
    </message>
    <message>
        <source>Remove</source>
        <translation>Kaldır</translation>
    </message>
</context>
<context>
    <name>LogPanel</name>
    <message>
        <source>All flows</source>
        <translation>Tüm akışlar</translation>
    </message>
    <message>
        <source>All levels</source>
        <translation>Tüm düzeyler</translation>
    </message>
    <message>
        <source>Info and above</source>
        <translation>Bilgi ve üstü</translation>
    </message>
    <message>
        <source>Warnings and errors</source>
        <translation>Uyarılar ve hatalar</translation>
    </message>
    <message>
        <source>Errors only</source>
        <translation>Yalnızca hatalar</translation>
    </message>
    <message>
        <source>Any time</source>
        <translation>Tüm zamanlar</translation>
    </message>
    <message>
        <source>Last hour</source>
        <translation>Son 1 saat</translation>
    </message>
    <message>
        <source>Last 24 hours</source>
        <translation>Son 24 saat</translation>
    </message>
    <message>
        <source>Last 7 days</source>
        <translation>Son 7 gün</translation>
    </message>
    <message>
        <source>Last 30 days</source>
        <translation>Son 30 gün</translation>
    </message>
    <message>
        <source>Search messages…</source>
        <translation>Mesajlarda ara…</translation>
    </message>
    <message>
        <source>SKU or order number</source>
        <translation>SKU veya sipariş numarası</translation>
    </message>
    <message>
        <source>N11 calls only</source>
        <translation>Yalnızca N11 çağrıları</translation>
    </message>
    <message>
        <source>Export CSV…</source>
        <translation>CSV&apos;ye aktar…</translation>
    </message>
    <message>
        <source>Flow</source>
        <translation>Akış</translation>
    </message>
    <message>
        <source>Time (UTC)</source>
        <translation>Zaman (UTC)</translation>
    </message>
    <message>
        <source>Level</source>
        <translation>Düzey</translation>
    </message>
    <message>
        <source>SKU / order</source>
        <translation>SKU / sipariş</translation>
    </message>
    <message>
        <source>Message</source>
        <translation>Mesaj</translation>
    </message>
    <message>
        <source>Select an entry to see its details and, for N11 calls, the raw request and response (App Secret redacted).</source>
        <translation>Ayrıntılarını ve N11 çağrıları için ham istek ile yanıtı görmek üzere bir kayıt seçin (App Secret gizlenir).</translation>
    </message>
    <message>
        <source>Copy</source>
        <translation>Kopyala</translation>
    </message>
    <message>
        <source>No log entries match these filters.</source>
        <translation>Bu filtrelerle eşleşen günlük kaydı yok.</translation>
    </message>
    <message>
        <source>More than %1 entries match · newest first · scroll for more</source>
        <translation>%1 kayıttan fazlası eşleşiyor · en yeni önce · daha fazlası için kaydırın</translation>
    </message>
    <message>
        <source>%1 entries match · newest first · scroll for more</source>
        <translation>%1 kayıt eşleşiyor · en yeni önce · daha fazlası için kaydırın</translation>
    </message>
    <message>
        <source>Could not load logs: %1</source>
        <translation>Günlükler yüklenemedi: %1</translation>
    </message>
    <message>
        <source>Request</source>
        <translation>İstek</translation>
    </message>
    <message>
        <source>Response</source>
        <translation>Yanıt</translation>
    </message>
    <message>
        <source>CSV files (*.csv)</source>
        <translation>CSV dosyaları (*.csv)</translation>
    </message>
    <message>
        <source>Export log entries</source>
        <translation>Günlük kayıtlarını dışa aktar</translation>
    </message>
    <message>
        <source>Exported %1 entries to %2</source>
        <translation>%1 kayıt %2 dosyasına aktarıldı</translation>
    </message>
    <message>
        <source>Export failed: %1</source>
        <translation>Dışa aktarma başarısız: %1</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <source>Channel Settings</source>
        <translation>Kanal Ayarları</translation>
    </message>
    <message>
        <source>Categories &amp; Mapping</source>
        <translation>Kategori Eşleştirme</translation>
    </message>
    <message>
        <source>Products</source>
        <translation>Ürünler</translation>
    </message>
    <message>
        <source>Orders</source>
        <translation>Siparişler</translation>
    </message>
    <message>
        <source>Dashboard</source>
        <translation>Gösterge Paneli</translation>
    </message>
    <message>
        <source>Monitoring</source>
        <translation>İzleme</translation>
    </message>
    <message>
        <source>Alarms</source>
        <translation>Alarmlar</translation>
    </message>
    <message>
        <source>demo (built-in N11 sandbox, schedules 10× faster)</source>
        <translation>demo (yerleşik N11 test ortamı, zamanlamalar 10 kat hızlı)</translation>
    </message>
    <message>
        <source>Channel: …</source>
        <translation>Kanal: …</translation>
    </message>
    <message>
        <source>Scheduler: %1</source>
        <translation>Zamanlayıcı: %1</translation>
    </message>
    <message>
        <source>No flow running</source>
        <translation>Çalışan akış yok</translation>
    </message>
    <message>
        <source>Scheduler lease: free</source>
        <translation>Zamanlayıcı kilidi: boşta</translation>
    </message>
    <message>
        <source>Scheduler lease: this window</source>
        <translation>Zamanlayıcı kilidi: bu pencere</translation>
    </message>
    <message>
        <source>n11-desktop run</source>
        <translation>n11-desktop run</translation>
    </message>
    <message>
        <source>another n11-desktop window</source>
        <translation>başka bir n11-desktop penceresi</translation>
    </message>
    <message>
        <source>Scheduler lease: %1 — %2, pid %3</source>
        <translation>Zamanlayıcı kilidi: %1 — %2, pid %3</translation>
    </message>
    <message>
        <source>Last heartbeat %1 s ago</source>
        <translation>Son sinyal %1 sn önce</translation>
    </message>
    <message>
        <source>Show n11-desktop</source>
        <translation>n11-desktop&apos;ı göster</translation>
    </message>
    <message>
        <source>Pause scheduled runs</source>
        <translation>Zamanlanmış çalışmaları duraklat</translation>
    </message>
    <message>
        <source>Running flows finish; Run now still works</source>
        <translation>Çalışan akışlar biter; Şimdi çalıştır yine çalışır</translation>
    </message>
    <message>
        <source>Channel %1: active</source>
        <translation>Kanal %1: etkin</translation>
    </message>
    <message>
        <source>Channel %1: inactive</source>
        <translation>Kanal %1: etkin değil</translation>
    </message>
    <message numerus="yes">
        <source>%n alarm(s) firing</source>
        <translation>
            <numerusform>%n alarm tetiklendi</numerusform>
        </translation>
    </message>
    <message>
        <source>Scheduler off</source>
        <translation>Zamanlayıcı kapalı</translation>
    </message>
    <message>
        <source>This window works normally, but its scheduler stays off so the two never close each other&apos;s runs or send the same records twice. &quot;Run now&quot; still runs a single flow. Close the other process and restart n11-desktop to schedule from here.</source>
        <translation>Bu pencere normal çalışır, ancak zamanlayıcısı kapalı kalır; böylece iki uygulama birbirinin çalışmalarını kapatmaz ve aynı kayıtları iki kez göndermez. &quot;Şimdi çalıştır&quot; yine tek bir akışı çalıştırır. Buradan zamanlamak için diğer işlemi kapatıp n11-desktop&apos;u yeniden başlatın.</translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation>&amp;Dosya</translation>
    </message>
    <message>
        <source>&amp;Preferences…</source>
        <translation>&amp;Tercihler…</translation>
    </message>
    <message>
        <source>Manage stores…</source>
        <translation>Mağazaları yönet…</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>Çı&amp;kış</translation>
    </message>
    <message>
        <source>&amp;Store</source>
        <translation>&amp;Mağaza</translation>
    </message>
    <message>
        <source>Store list unreadable: %1</source>
        <translation>Mağaza listesi okunamıyor: %1</translation>
    </message>
    <message>
        <source>(demo)</source>
        <translation>(demo)</translation>
    </message>
    <message>
        <source>This database (opened with --db or --demo)</source>
        <translation>Bu veritabanı (--db veya --demo ile açıldı)</translation>
    </message>
    <message>
        <source>No stores yet</source>
        <translation>Henüz mağaza yok</translation>
    </message>
    <message>
        <source>Copy settings and mapping from</source>
        <translation>Ayarları ve eşleştirmeyi şuradan kopyala</translation>
    </message>
    <message>
        <source>History of changes…</source>
        <translation>Değişiklik geçmişi…</translation>
    </message>
    <message>
        <source>Opening store %1…</source>
        <translation>%1 mağazası açılıyor…</translation>
    </message>
    <message>
        <source>Store %1 not opened: %2</source>
        <translation>%1 mağazası açılmadı: %2</translation>
    </message>
    <message>
        <source>Copy from another store</source>
        <translation>Başka bir mağazadan kopyala</translation>
    </message>
    <message>
        <source>Copy the channel settings and the mapping of store %1 into this store? The App Key, App Secret and web hook token are not copied, and nothing of this store is deleted: copied mappings are added or updated.</source>
        <translation>%1 mağazasının kanal ayarları ve eşleştirmesi bu mağazaya kopyalansın mı? App Key, App Secret ve web hook token kopyalanmaz; bu mağazadan hiçbir şey silinmez: kopyalanan eşleştirmeler eklenir veya güncellenir.</translation>
    </message>
    <message>
        <source>Copied from %1: %2</source>
        <translation>%1 mağazasından kopyalandı: %2</translation>
    </message>
    <message>
        <source>Not copied from %1: %2</source>
        <translation>%1 mağazasından kopyalanamadı: %2</translation>
    </message>
    <message>
        <source>Store not opened</source>
        <translation>Mağaza açılmadı</translation>
    </message>
    <message>
        <source>Store %1 could not be opened; the open store stays as it is.</source>
        <translation>%1 mağazası açılamadı; açık olan mağaza olduğu gibi kalıyor.</translation>
    </message>
</context>
<context>
    <name>MappingTab</name>
    <message>
        <source>&lt;b&gt;N11 flows:&lt;/b&gt;</source>
        <translation>&lt;b&gt;N11 akışları:&lt;/b&gt;</translation>
    </message>
    <message>
        <source>Run Category Node</source>
        <translation>Kategori Ağacı&apos;nı çalıştır</translation>
    </message>
    <message>
        <source>Pull the full N11 tree under the Category Ids of Channel Settings</source>
        <translation>Kanal Ayarlarındaki Kategori ID&apos;lerinin altındaki tüm N11 ağacını çeker</translation>
    </message>
    <message>
        <source>Run Category Attributes</source>
        <translation>Kategori Özelliklerini çalıştır</translation>
    </message>
    <message>
        <source>Pull attributes and values of every N11 leaf a local category is mapped to</source>
        <translation>Bir yerel kategorinin eşleştirildiği her N11 alt kategorisinin özelliklerini ve değerlerini çeker</translation>
    </message>
    <message>
        <source>Create Default Attributes</source>
        <translation>Varsayılan Özellikleri Oluştur</translation>
    </message>
    <message>
        <source>Prepare the predefined fields (stock code, title, price, …) and brand → Marka</source>
        <translation>Önceden tanımlı alanları (stok kodu, başlık, fiyat, …) ve marka → Marka eşleştirmesini hazırlar</translation>
    </message>
    <message>
        <source>Compare Attributes</source>
        <translation>Özellikleri Karşılaştır</translation>
    </message>
    <message>
        <source>Refresh attribute values from N11 and report what changed and what it breaks</source>
        <translation>Özellik değerlerini N11&apos;den yeniler; neyin değiştiğini ve neyi bozduğunu bildirir</translation>
    </message>
    <message>
        <source>Import mapping CSV…</source>
        <translation>Eşleştirme CSV&apos;si içe aktar…</translation>
    </message>
    <message>
        <source>kind,local,n11_id,category_id[,custom_value] — only the good rows are written</source>
        <translation>kind,local,n11_id,category_id[,custom_value] — yalnızca sorunsuz satırlar yazılır</translation>
    </message>
    <message>
        <source>Export mapping CSV…</source>
        <translation>Eşleştirme CSV&apos;si dışa aktar…</translation>
    </message>
    <message>
        <source>History…</source>
        <translation>Geçmiş…</translation>
    </message>
    <message>
        <source>Who changed the mapping, and when</source>
        <translation>Eşleştirmeyi kim, ne zaman değiştirdi</translation>
    </message>
    <message>
        <source>Mapping</source>
        <translation>Eşleştirme</translation>
    </message>
    <message>
        <source>Suggestions</source>
        <translation>Öneriler</translation>
    </message>
    <message>
        <source>Mapping Control</source>
        <translation>Eşleştirme Kontrolü</translation>
    </message>
    <message>
        <source>N11 changes</source>
        <translation>N11 değişiklikleri</translation>
    </message>
    <message>
        <source>%1: started…</source>
        <translation>%1: başladı…</translation>
    </message>
    <message>
        <source>%1: running…</source>
        <translation>%1: çalışıyor…</translation>
    </message>
    <message>
        <source>Export mapping</source>
        <translation>Eşleştirmeyi dışa aktar</translation>
    </message>
    <message>
        <source>CSV files (*.csv)</source>
        <translation>CSV dosyaları (*.csv)</translation>
    </message>
    <message>
        <source>Import mapping</source>
        <translation>Eşleştirmeyi içe aktar</translation>
    </message>
    <message>
        <source>CSV files (*.csv);;All files (*)</source>
        <translation>CSV dosyaları (*.csv);;Tüm dosyalar (*)</translation>
    </message>
    <message>
        <source>Import: %1.</source>
        <translation>İçe aktarma: %1.</translation>
    </message>
    <message>
        <source>Exported %1 mapping rows to %2</source>
        <translation>%1 eşleştirme satırı %2 dosyasına aktarıldı</translation>
    </message>
</context>
<context>
    <name>MembersDialog</name>
    <message>
        <source>%1 SKU(s)</source>
        <translation>%1 SKU</translation>
    </message>
    <message>
        <source> (first 5,000 shown)</source>
        <translation> (ilk 5.000 gösteriliyor)</translation>
    </message>
</context>
<context>
    <name>MembersModel</name>
    <message>
        <source>Title</source>
        <translation>Başlık</translation>
    </message>
    <message>
        <source>Price</source>
        <translation>Fiyat</translation>
    </message>
    <message>
        <source>N11 price</source>
        <translation>N11 fiyatı</translation>
    </message>
    <message>
        <source>Stock</source>
        <translation>Stok</translation>
    </message>
    <message>
        <source>To send</source>
        <translation>Gönderilecek</translation>
    </message>
    <message>
        <source>N11 qty</source>
        <translation>N11 miktarı</translation>
    </message>
    <message>
        <source>N11 status</source>
        <translation>N11 durumu</translation>
    </message>
</context>
<context>
    <name>MicroInvoiceDialog</name>
    <message>
        <source>Invoice link (micro-export order)</source>
        <translation>Fatura bağlantısı (mikro ihracat siparişi)</translation>
    </message>
    <message>
        <source>Micro-export order: N11 needs the https:// link of the invoice document, the invoice number and the invoice date and time (Turkish time).</source>
        <translation>Mikro ihracat siparişi: N11, fatura belgesinin https:// bağlantısını, fatura numarasını ve fatura tarih ve saatini (Türkiye saati) ister.</translation>
    </message>
    <message>
        <source>e.g. ABC2026000000001</source>
        <translation>ör. ABC2026000000001</translation>
    </message>
    <message>
        <source>dd/MM/yyyy HH:mm, e.g. 31/01/2026 14:30</source>
        <translation>gg/AA/yyyy SS:dd, ör. 31/01/2026 14:30</translation>
    </message>
    <message>
        <source>Invoice number</source>
        <translation>Fatura numarası</translation>
    </message>
    <message>
        <source>Invoice date and time</source>
        <translation>Fatura tarihi ve saati</translation>
    </message>
</context>
<context>
    <name>MonitoringTab</name>
    <message>
        <source>Flows</source>
        <translation>Akışlar</translation>
    </message>
    <message>
        <source>Runs</source>
        <translation>Çalışmalar</translation>
    </message>
    <message>
        <source>Log</source>
        <translation>Günlük</translation>
    </message>
    <message>
        <source>Reports</source>
        <translation>Raporlar</translation>
    </message>
</context>
<context>
    <name>N11TreeModel</name>
    <message>
        <source>N11 category</source>
        <translation>N11 kategorisi</translation>
    </message>
    <message>
        <source>%1 local</source>
        <translation>%1 yerel</translation>
    </message>
    <message>
        <source>leaf — products can go here</source>
        <translation>alt kategori — ürünler buraya girebilir</translation>
    </message>
    <message>
        <source>not a leaf — open it to choose a sub-category</source>
        <translation>alt kategori değil — bir alt kategori seçmek için açın</translation>
    </message>
</context>
<context>
    <name>OrdersModel</name>
    <message>
        <source>Late shipment</source>
        <translation>Geciken kargo</translation>
    </message>
    <message>
        <source>Order</source>
        <translation>Sipariş</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>Durum</translation>
    </message>
    <message>
        <source>Ordered</source>
        <translation>Sipariş tarihi</translation>
    </message>
    <message>
        <source>Customer</source>
        <translation>Müşteri</translation>
    </message>
    <message>
        <source>City</source>
        <translation>İl</translation>
    </message>
    <message>
        <source>Lines</source>
        <translation>Kalem</translation>
    </message>
    <message>
        <source>Total</source>
        <translation>Toplam</translation>
    </message>
    <message>
        <source>Cargo</source>
        <translation>Kargo</translation>
    </message>
    <message>
        <source>Invoice</source>
        <translation>Fatura</translation>
    </message>
    <message>
        <source>ERP reported</source>
        <translation>ERP&apos;ye bildirildi</translation>
    </message>
    <message>
        <source>history</source>
        <extracomment>what a click on each column&apos;s header sorts by (queries.SORT_KEYS; &quot;&quot; = not sortable: the line count is worked out per page)</extracomment>
        <translation>geçmiş</translation>
    </message>
    <message>
        <source>N11 reports this order as late for shipment (LATE_SHIPMENT); it still waits for approval</source>
        <translation>N11 bu siparişi kargoda gecikmiş olarak bildiriyor (LATE_SHIPMENT); hâlâ onay bekliyor</translation>
    </message>
    <message>
        <source>Imported as history: first seen on N11 past New, so it was never new work for the ERP (N11 order number %1)</source>
        <translation>Geçmiş olarak içe aktarıldı: N11&apos;de ilk kez Yeni durumunu geçmişken görüldü, bu yüzden ERP için hiçbir zaman yeni iş olmadı (N11 sipariş numarası %1)</translation>
    </message>
    <message>
        <source>N11 order number %1</source>
        <translation>N11 sipariş numarası %1</translation>
    </message>
</context>
<context>
    <name>OrdersTab</name>
    <message>
        <source>All orders</source>
        <translation>Tüm siparişler</translation>
    </message>
    <message>
        <source>Waiting for approval</source>
        <translation>Onay bekliyor</translation>
    </message>
    <message>
        <source>Approved</source>
        <translation>Onaylandı</translation>
    </message>
    <message>
        <source>Shipped</source>
        <translation>Kargoya verildi</translation>
    </message>
    <message>
        <source>Delivered</source>
        <translation>Teslim edildi</translation>
    </message>
    <message>
        <source>Completed</source>
        <translation>Tamamlandı</translation>
    </message>
    <message>
        <source>Cancelled</source>
        <translation>İptal edildi</translation>
    </message>
    <message>
        <source>Refunded</source>
        <translation>İade edildi</translation>
    </message>
    <message>
        <source>Late shipment</source>
        <translation>Geciken kargo</translation>
    </message>
    <message>
        <source>Not reported to ERP</source>
        <translation>ERP&apos;ye bildirilmedi</translation>
    </message>
    <message>
        <source>Cancellation waiting for ERP</source>
        <translation>ERP&apos;yi bekleyen iptal</translation>
    </message>
    <message>
        <source>Any time</source>
        <translation>Tüm zamanlar</translation>
    </message>
    <message>
        <source>Today</source>
        <translation>Bugün</translation>
    </message>
    <message>
        <source>Last 7 days</source>
        <translation>Son 7 gün</translation>
    </message>
    <message>
        <source>Last 30 days</source>
        <translation>Son 30 gün</translation>
    </message>
    <message>
        <source>Postal code %1</source>
        <translation>Posta kodu %1</translation>
    </message>
    <message>
        <source>city #%1</source>
        <translation>il #%1</translation>
    </message>
    <message>
        <source>township #%1</source>
        <translation>ilçe #%1</translation>
    </message>
    <message>
        <source>district #%1</source>
        <translation>mahalle #%1</translation>
    </message>
    <message>
        <source>local: %1</source>
        <translation>yerel: %1</translation>
    </message>
    <message>
        <source>Status:</source>
        <translation>Durum:</translation>
    </message>
    <message>
        <source>Ordered:</source>
        <translation>Sipariş tarihi:</translation>
    </message>
    <message>
        <source>Search order number or customer…</source>
        <translation>Sipariş numarası veya müşteri ara…</translation>
    </message>
    <message>
        <source>Refresh</source>
        <translation>Yenile</translation>
    </message>
    <message>
        <source>Fetch orders now</source>
        <translation>Siparişleri şimdi al</translation>
    </message>
    <message>
        <source>Run Order Create (new packages and status changes from N11)</source>
        <translation>Sipariş Oluşturma&apos;yı çalıştırır (N11&apos;den yeni paketler ve durum değişiklikleri)</translation>
    </message>
    <message>
        <source>Address mapping…</source>
        <translation>Adres eşleştirme…</translation>
    </message>
    <message>
        <source>Cargo mapping…</source>
        <translation>Kargo eşleştirme…</translation>
    </message>
    <message>
        <source>Export CSV…</source>
        <translation>CSV&apos;ye aktar…</translation>
    </message>
    <message>
        <source>Write the order lines shown by the filter to a CSV file (e.g. for the ERP)</source>
        <translation>Filtrenin gösterdiği sipariş kalemlerini bir CSV dosyasına yazar (ör. ERP için)</translation>
    </message>
    <message>
        <source>Import history</source>
        <translation>Geçmişi içe aktar</translation>
    </message>
    <message>
        <source>Bring in the orders first seen on N11 past New (recorded as history): they are marked as history and as reported to the ERP, never new work for it</source>
        <translation>N11&apos;de ilk kez Yeni durumunu geçmişken görülen siparişleri getirir (geçmiş olarak kaydedilir): geçmiş ve ERP&apos;ye bildirilmiş olarak işaretlenir, ERP için asla yeni iş olmaz</translation>
    </message>
    <message>
        <source>ERP-reported from CSV…</source>
        <translation>CSV&apos;den ERP&apos;ye bildirildi…</translation>
    </message>
    <message>
        <source>Mark every order listed in a CSV file of order numbers as reported to the ERP</source>
        <translation>Sipariş numaralarından oluşan bir CSV dosyasındaki her siparişi ERP&apos;ye bildirildi olarak işaretler</translation>
    </message>
    <message>
        <source>Loading orders…</source>
        <translation>Siparişler yükleniyor…</translation>
    </message>
    <message>
        <source>Select an order to see its lines, addresses, packages and history.</source>
        <translation>Kalemlerini, adreslerini, paketlerini ve geçmişini görmek için bir sipariş seçin.</translation>
    </message>
    <message>
        <source>Approve</source>
        <translation>Onayla</translation>
    </message>
    <message>
        <source>Ship…</source>
        <translation>Kargoya ver…</translation>
    </message>
    <message>
        <source>Invoice link…</source>
        <translation>Fatura bağlantısı…</translation>
    </message>
    <message>
        <source>Cancel lines…</source>
        <translation>Kalemleri iptal et…</translation>
    </message>
    <message>
        <source>Mark ERP-reported</source>
        <translation>ERP&apos;ye bildirildi işaretle</translation>
    </message>
    <message>
        <source>Request pick-up…</source>
        <translation>Kargo alımı iste…</translation>
    </message>
    <message>
        <source>Approve the selected lines (all waiting lines if none is selected) on N11</source>
        <translation>Seçili kalemleri N11&apos;de onaylar (hiçbiri seçili değilse bekleyen tüm kalemleri)</translation>
    </message>
    <message>
        <source>Ship the selected lines with a tracking number</source>
        <translation>Seçili kalemleri bir takip numarasıyla kargoya verir</translation>
    </message>
    <message>
        <source>Attach the invoice link and send it to N11</source>
        <translation>Fatura bağlantısını ekler ve N11&apos;e gönderir</translation>
    </message>
    <message>
        <source>Cancel quantities of lines not yet shipped (partial cancellation on N11)</source>
        <translation>Henüz kargoya verilmemiş kalemlerin miktarlarını iptal eder (N11&apos;de kısmi iptal)</translation>
    </message>
    <message>
        <source>Mark the selected orders as reported to the ERP (cancellations need it)</source>
        <translation>Seçili siparişleri ERP&apos;ye bildirildi olarak işaretler (iptaller için gereklidir)</translation>
    </message>
    <message>
        <source>Ask Horoz, Ceva or Borusan to collect the approved packages (N11 collection request)</source>
        <translation>Onaylı paketleri teslim almaları için Horoz, Ceva veya Borusan&apos;a talep gönderir (N11 toplama talebi)</translation>
    </message>
    <message>
        <source>Line</source>
        <translation>Kalem</translation>
    </message>
    <message>
        <source>Product</source>
        <translation>Ürün</translation>
    </message>
    <message>
        <source>Qty</source>
        <translation>Adet</translation>
    </message>
    <message>
        <source>Price</source>
        <translation>Fiyat</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>Durum</translation>
    </message>
    <message>
        <source>Tracking</source>
        <translation>Takip</translation>
    </message>
    <message>
        <source>Package</source>
        <translation>Paket</translation>
    </message>
    <message>
        <source>N11 package</source>
        <translation>N11 paketi</translation>
    </message>
    <message>
        <source>Campaign no.</source>
        <translation>Kampanya no.</translation>
    </message>
    <message>
        <source>Tracking no.</source>
        <translation>Takip no.</translation>
    </message>
    <message>
        <source>Last change</source>
        <translation>Son değişiklik</translation>
    </message>
    <message>
        <source>When</source>
        <translation>Zaman</translation>
    </message>
    <message>
        <source>Source</source>
        <translation>Kaynak</translation>
    </message>
    <message>
        <source>Kind</source>
        <translation>Tür</translation>
    </message>
    <message>
        <source>Reason</source>
        <translation>Neden</translation>
    </message>
    <message>
        <source>State</source>
        <translation>Durum</translation>
    </message>
    <message>
        <source>Note</source>
        <translation>Not</translation>
    </message>
    <message>
        <source>Lines</source>
        <translation>Kalemler</translation>
    </message>
    <message>
        <source>Addresses</source>
        <translation>Adresler</translation>
    </message>
    <message>
        <source>Packages</source>
        <translation>Paketler</translation>
    </message>
    <message>
        <source>Cancellations</source>
        <translation>İptaller</translation>
    </message>
    <message>
        <source>Raw N11 data</source>
        <translation>Ham N11 verisi</translation>
    </message>
    <message>
        <source>Orders could not be loaded: %1</source>
        <translation>Siparişler yüklenemedi: %1</translation>
    </message>
    <message>
        <source>OMS web hook listening on %1/flow-trigger/&lt;slug&gt;/split_packages</source>
        <translation>OMS web kancası dinliyor: %1/flow-trigger/&lt;slug&gt;/split_packages</translation>
    </message>
    <message>
        <source>OMS web hook not started: %1</source>
        <translation>OMS web kancası başlatılamadı: %1</translation>
    </message>
    <message>
        <source>Import history (%1)</source>
        <translation>Geçmişi içe aktar (%1)</translation>
    </message>
    <message>
        <source>Address mapping (%1)…</source>
        <translation>Adres eşleştirme (%1)…</translation>
    </message>
    <message>
        <source> (and %1 more; see Monitoring → Order Create)</source>
        <translation> (ve %1 tane daha; bkz. İzleme → Sipariş Oluşturma)</translation>
    </message>
    <message>
        <source>&lt;b&gt;%1 order(s) from N11 could not be written.&lt;/b&gt;</source>
        <translation>&lt;b&gt;N11&apos;den gelen %1 sipariş yazılamadı.&lt;/b&gt;</translation>
    </message>
    <message>
        <source>claim %1 (order %2)</source>
        <translation>talep %1 (sipariş %2)</translation>
    </message>
    <message>
        <source>&lt;b&gt;%1 cancellation request(s) wait:&lt;/b&gt; their order is not imported, so they are not approved blindly — %2. Import the order (Import history) or answer them on N11.</source>
        <translation>&lt;b&gt;%1 iptal talebi bekliyor:&lt;/b&gt; siparişleri içe aktarılmadığı için körü körüne onaylanmıyorlar — %2. Siparişi içe aktarın (Geçmişi içe aktar) veya talepleri N11&apos;de yanıtlayın.</translation>
    </message>
    <message>
        <source>%1 orders</source>
        <translation>%1 sipariş</translation>
    </message>
    <message>
        <source>Showing %1 of %2 orders (scroll for more)</source>
        <translation>%2 siparişten %1 tanesi gösteriliyor (daha fazlası için kaydırın)</translation>
    </message>
    <message>
        <source>%1 waiting for approval</source>
        <translation>%1 onay bekliyor</translation>
    </message>
    <message>
        <source>%1 late for shipment</source>
        <translation>%1 kargoda gecikti</translation>
    </message>
    <message>
        <source>%1 not reported to the ERP</source>
        <translation>%1 ERP&apos;ye bildirilmedi</translation>
    </message>
    <message>
        <source>%1 cancellation request(s) wait: their order is not imported</source>
        <translation>%1 iptal talebi bekliyor: siparişleri içe aktarılmadı</translation>
    </message>
    <message>
        <source>%1 with a cancellation waiting for the ERP</source>
        <translation>%1 siparişte ERP&apos;yi bekleyen iptal var</translation>
    </message>
    <message>
        <source> · in all: </source>
        <translation> · toplam: </translation>
    </message>
    <message>
        <source>Order could not be loaded: %1</source>
        <translation>Sipariş yüklenemedi: %1</translation>
    </message>
    <message>
        <source>The order no longer exists.</source>
        <translation>Sipariş artık yok.</translation>
    </message>
    <message>
        <source>invoice sent to N11</source>
        <translation>fatura N11&apos;e gönderildi</translation>
    </message>
    <message>
        <source>invoice link waiting to be sent</source>
        <translation>fatura bağlantısı gönderilmeyi bekliyor</translation>
    </message>
    <message>
        <source>no invoice</source>
        <translation>fatura yok</translation>
    </message>
    <message>
        <source>&lt;span style=&apos;font-size:15px&apos;&gt;&lt;b&gt;%1&lt;/b&gt;&lt;/span&gt; &amp;nbsp; &lt;span style=&apos;color:%2&apos;&gt;&lt;b&gt;%3&lt;/b&gt;&lt;/span&gt;&lt;br&gt;N11 order %4 · ordered %5 · %6%7&lt;br&gt;Total &lt;b&gt;%8&lt;/b&gt;%9 · cargo %10 · %11 · %12</source>
        <translation>&lt;span style=&apos;font-size:15px&apos;&gt;&lt;b&gt;%1&lt;/b&gt;&lt;/span&gt; &amp;nbsp; &lt;span style=&apos;color:%2&apos;&gt;&lt;b&gt;%3&lt;/b&gt;&lt;/span&gt;&lt;br&gt;N11 siparişi %4 · sipariş tarihi %5 · %6%7&lt;br&gt;Toplam &lt;b&gt;%8&lt;/b&gt;%9 · kargo %10 · %11 · %12</translation>
    </message>
    <message>
        <source> (discount %1)</source>
        <translation> (indirim %1)</translation>
    </message>
    <message>
        <source>reported to ERP</source>
        <translation>ERP&apos;ye bildirildi</translation>
    </message>
    <message>
        <source>not reported to ERP</source>
        <translation>ERP&apos;ye bildirilmedi</translation>
    </message>
    <message>
        <source>sending to N11</source>
        <translation>N11&apos;e gönderiliyor</translation>
    </message>
    <message>
        <source>N11 says: %1; last status reported to N11: %2</source>
        <translation>N11 diyor ki: %1; N11&apos;e son bildirilen durum: %2</translation>
    </message>
    <message>
        <source>Delivered to pick-up point (%1)</source>
        <translation>Teslim noktasına teslim (%1)</translation>
    </message>
    <message>
        <source>Customer (billing address)</source>
        <translation>Müşteri (fatura adresi)</translation>
    </message>
    <message>
        <source>Shipping address</source>
        <translation>Teslimat adresi</translation>
    </message>
    <message>
        <source>Billing address</source>
        <translation>Fatura adresi</translation>
    </message>
    <message>
        <source>&lt;br&gt;&lt;br&gt;TC id %1</source>
        <translation>&lt;br&gt;&lt;br&gt;TC kimlik no %1</translation>
    </message>
    <message>
        <source>Cancellations (%1)</source>
        <translation>İptaller (%1)</translation>
    </message>
    <message>
        <source>Not done: %1</source>
        <translation>Yapılmadı: %1</translation>
    </message>
    <message>
        <source>No line waiting for approval.</source>
        <translation>Onay bekleyen kalem yok.</translation>
    </message>
    <message>
        <source>No line can be shipped.</source>
        <translation>Kargoya verilebilecek kalem yok.</translation>
    </message>
    <message>
        <source>Orders reported to the ERP</source>
        <translation>ERP&apos;ye bildirilen siparişler</translation>
    </message>
    <message>
        <source>CSV files (*.csv *.txt);;All files (*)</source>
        <translation>CSV dosyaları (*.csv *.txt);;Tüm dosyalar (*)</translation>
    </message>
    <message>
        <source>Address mapping saved; fetching the waiting orders again.</source>
        <translation>Adres eşleştirme kaydedildi; bekleyen siparişler yeniden alınıyor.</translation>
    </message>
    <message>
        <source>Export orders</source>
        <translation>Siparişleri dışa aktar</translation>
    </message>
    <message>
        <source>CSV files (*.csv)</source>
        <translation>CSV dosyaları (*.csv)</translation>
    </message>
    <message>
        <source>Exported %1 order lines to %2.</source>
        <translation>%1 sipariş kalemi %2 dosyasına aktarıldı.</translation>
    </message>
    <message>
        <source>Export failed: %1</source>
        <translation>Dışa aktarma başarısız: %1</translation>
    </message>
    <message>
        <source>Cargo mapping saved; fetching the waiting orders again.</source>
        <translation>Kargo eşleştirme kaydedildi; bekleyen siparişler yeniden alınıyor.</translation>
    </message>
    <message>
        <source>%1 failed: %2</source>
        <translation>%1 başarısız: %2</translation>
    </message>
    <message>
        <source>%1: %2 — %3 ok</source>
        <translation>%1: %2 — %3 başarılı</translation>
    </message>
    <message>
        <source>, %1 failed</source>
        <translation>, %1 başarısız</translation>
    </message>
</context>
<context>
    <name>PenaltyDialog</name>
    <message>
        <source>CSV files (*.csv *.txt);;All files (*)</source>
        <translation>CSV dosyaları (*.csv *.txt);;Tüm dosyalar (*)</translation>
    </message>
    <message>
        <source>Penalty box (Failed Integration)</source>
        <translation>Ceza Kutusu (Başarısız Entegrasyon)</translation>
    </message>
    <message>
        <source>Loading…</source>
        <translation>Yükleniyor…</translation>
    </message>
    <message>
        <source>Update by uploading a file…</source>
        <translation>Dosya yükleyerek güncelle…</translation>
    </message>
    <message>
        <source>CSV with a `sku` column (optional `content_type`, `action`): lift the penalties of these records so they are sent again; for orders put the N11 order number in `sku` (content_type order): fetched again on the next run</source>
        <translation>`sku` sütunlu CSV (isteğe bağlı `content_type`, `action`): bu kayıtların cezalarını kaldırır, yeniden gönderilirler; siparişler için N11 sipariş numarasını `sku` sütununa yazın (content_type order): sonraki çalışmada yeniden alınır</translation>
    </message>
    <message>
        <source>Delete bulk failed integration…</source>
        <translation>Toplu başarısız entegrasyon sil…</translation>
    </message>
    <message>
        <source>CSV with a `sku` column (SKUs or N11 order numbers): delete these failed integrations</source>
        <translation>`sku` sütunlu CSV (SKU&apos;lar veya N11 sipariş numaraları): bu başarısız entegrasyonları siler</translation>
    </message>
    <message>
        <source>Update bulk product version date…</source>
        <translation>Toplu ürün sürüm tarihi güncelle…</translation>
    </message>
    <message>
        <source>CSV with a `sku` column: bump the version date so the next run sends an update</source>
        <translation>`sku` sütunlu CSV: sürüm tarihini ileri alır, sonraki çalışma bir güncelleme gönderir</translation>
    </message>
    <message>
        <source>Refresh</source>
        <translation>Yenile</translation>
    </message>
    <message>
        <source>%1 record(s) in the penalty box: %2 waiting to be retried, %3 need a manual lift after the cause is fixed.</source>
        <translation>Ceza Kutusunda %1 kayıt: %2 tanesi yeniden denenmeyi bekliyor, %3 tanesi neden düzeltildikten sonra elle kaldırılmalı.</translation>
    </message>
    <message>
        <source>The penalty box is empty.</source>
        <translation>Ceza Kutusu boş.</translation>
    </message>
    <message>
        <source>Failed: %1</source>
        <translation>Başarısız: %1</translation>
    </message>
    <message>
        <source>Update by uploading a file</source>
        <translation>Dosya yükleyerek güncelle</translation>
    </message>
    <message>
        <source>Delete bulk failed integration</source>
        <translation>Toplu başarısız entegrasyon sil</translation>
    </message>
    <message>
        <source>Update bulk product version date</source>
        <translation>Toplu ürün sürüm tarihi güncelle</translation>
    </message>
    <message>
        <source>%1 more</source>
        <translation>%1 tane daha</translation>
    </message>
</context>
<context>
    <name>PenaltyModel</name>
    <message>
        <source>manual lift</source>
        <translation>elle kaldırma</translation>
    </message>
    <message>
        <source>Content type</source>
        <translation>İçerik türü</translation>
    </message>
    <message>
        <source>Reason</source>
        <translation>Neden</translation>
    </message>
    <message>
        <source>Retries</source>
        <translation>Deneme</translation>
    </message>
    <message>
        <source>Next retry</source>
        <translation>Sonraki deneme</translation>
    </message>
    <message>
        <source>State</source>
        <translation>Durum</translation>
    </message>
    <message>
        <source>Message (what to do)</source>
        <translation>Mesaj (ne yapılmalı)</translation>
    </message>
</context>
<context>
    <name>PreferencesDialog</name>
    <message>
        <source>Preferences</source>
        <translation>Tercihler</translation>
    </message>
    <message>
        <source>System language (%1)</source>
        <translation>Sistem dili (%1)</translation>
    </message>
    <message>
        <source>Language:</source>
        <translation>Dil:</translation>
    </message>
    <message>
        <source>The new language applies when n11-desktop starts again. --lang on the command line overrides this choice.</source>
        <translation>Yeni dil, n11-desktop yeniden başladığında uygulanır. Komut satırındaki --lang bu seçimi geçersiz kılar.</translation>
    </message>
    <message>
        <source>Your name in the history of changes:</source>
        <translation>Değişiklik geçmişindeki adınız:</translation>
    </message>
    <message>
        <source>Could not save the preferences: %1</source>
        <translation>Tercihler kaydedilemedi: %1</translation>
    </message>
</context>
<context>
    <name>ProductTableModel</name>
    <message>
        <source>✓ in catalog</source>
        <translation>✓ katalogda</translation>
    </message>
    <message>
        <source>✗ removed</source>
        <translation>✗ çıkarıldı</translation>
    </message>
    <message>
        <source>not in catalog</source>
        <translation>katalogda değil</translation>
    </message>
    <message>
        <source>not sent</source>
        <translation>gönderilmedi</translation>
    </message>
    <message>
        <source>last send failed</source>
        <translation>son gönderim başarısız</translation>
    </message>
    <message>
        <source>Title</source>
        <translation>Başlık</translation>
    </message>
    <message>
        <source>Category</source>
        <translation>Kategori</translation>
    </message>
    <message>
        <source>Brand</source>
        <translation>Marka</translation>
    </message>
    <message>
        <source>Price (TL)</source>
        <translation>Fiyat (TL)</translation>
    </message>
    <message>
        <source>Sale price; double-click to edit</source>
        <translation>Satış fiyatı; düzenlemek için çift tıklayın</translation>
    </message>
    <message>
        <source>List price</source>
        <translation>Liste fiyatı</translation>
    </message>
    <message>
        <source>List (crossed-out) price, at least the sale price; double-click to edit</source>
        <translation>Liste (üstü çizili) fiyatı, en az satış fiyatı kadar; düzenlemek için çift tıklayın</translation>
    </message>
    <message>
        <source>Stock</source>
        <translation>Stok</translation>
    </message>
    <message>
        <source>Stock quantity; double-click to edit</source>
        <translation>Stok miktarı; düzenlemek için çift tıklayın</translation>
    </message>
    <message>
        <source>N11 catalog</source>
        <translation>N11 kataloğu</translation>
    </message>
    <message>
        <source>Membership of the N11 catalog</source>
        <translation>N11 kataloğuna üyelik</translation>
    </message>
    <message>
        <source>N11 state</source>
        <translation>N11 durumu</translation>
    </message>
    <message>
        <source>What N11 last said about the product</source>
        <translation>N11&apos;in ürün hakkında son söylediği</translation>
    </message>
    <message>
        <source>Penalty</source>
        <translation>Ceza</translation>
    </message>
    <message>
        <source>⚠ penalized</source>
        <translation>⚠ cezalı</translation>
    </message>
    <message>
        <source>In the penalty box: not retried until its retry time</source>
        <translation>Ceza Kutusunda: deneme zamanı gelene kadar yeniden denenmez</translation>
    </message>
    <message>
        <source>Last error</source>
        <translation>Son hata</translation>
    </message>
    <message>
        <source>Could not load products: %1</source>
        <translation>Ürünler yüklenemedi: %1</translation>
    </message>
    <message>
        <source>Product code: %1 · %2 image(s)</source>
        <translation>Ürün kodu: %1 · %2 görsel</translation>
    </message>
    <message>
        <source>No price: N11 will not accept this product until it has one</source>
        <translation>Fiyat yok: fiyatı olana kadar N11 bu ürünü kabul etmez</translation>
    </message>
    <message>
        <source>No stock record: the stock flow has nothing to send</source>
        <translation>Stok kaydı yok: stok akışının gönderecek bir şeyi yok</translation>
    </message>
    <message>
        <source>ledger state: %1</source>
        <translation>kayıt defteri durumu: %1</translation>
    </message>
    <message>
        <source>never sent</source>
        <translation>hiç gönderilmedi</translation>
    </message>
    <message>
        <source>N11 status: %1</source>
        <translation>N11 durumu: %1</translation>
    </message>
    <message>
        <source>N11 product id: %1</source>
        <translation>N11 ürün ID&apos;si: %1</translation>
    </message>
    <message>
        <source>N11 category override: leaf %1, set for this product (it wins over the local-category mapping)</source>
        <translation>N11 kategori geçersiz kılma: alt kategori %1, bu ürün için belirlendi (yerel kategori eşleştirmesinden önce gelir)</translation>
    </message>
    <message>
        <source>Local category: %1</source>
        <translation>Yerel kategori: %1</translation>
    </message>
    <message>
        <source>none</source>
        <translation>yok</translation>
    </message>
    <message>
        <source>No local category: it cannot be mapped to an N11 category</source>
        <translation>Yerel kategori yok: bir N11 kategorisiyle eşleştirilemez</translation>
    </message>
    <message>
        <source>price</source>
        <translation>fiyat</translation>
    </message>
    <message>
        <source>list price</source>
        <translation>liste fiyatı</translation>
    </message>
    <message>
        <source>stock</source>
        <translation>stok</translation>
    </message>
    <message>
        <source>the %1 must be above 0</source>
        <translation>%1 0&apos;dan büyük olmalı</translation>
    </message>
    <message>
        <source>set the sale price first</source>
        <translation>önce satış fiyatını girin</translation>
    </message>
    <message>
        <source>it is below the sale price %1</source>
        <translation>satış fiyatının (%1) altında</translation>
    </message>
    <message>
        <source>%1: %2 not changed: %3</source>
        <translation>%1: %2 değiştirilmedi: %3</translation>
    </message>
    <message>
        <source>%1: %2 not saved: %3</source>
        <translation>%1: %2 kaydedilmedi: %3</translation>
    </message>
</context>
<context>
    <name>ProductsTab</name>
    <message>
        <source>Catalog files (*.csv *.xlsx *.xlsm *.txt *.tsv);;CSV (*.csv *.txt *.tsv);;Excel (*.xlsx *.xlsm)</source>
        <translation>Katalog dosyaları (*.csv *.xlsx *.xlsm *.txt *.tsv);;CSV (*.csv *.txt *.tsv);;Excel (*.xlsx *.xlsm)</translation>
    </message>
    <message>
        <source>In catalog or not</source>
        <translation>Katalogda olsun olmasın</translation>
    </message>
    <message>
        <source>In N11 catalog</source>
        <translation>N11 kataloğunda</translation>
    </message>
    <message>
        <source>Not in N11 catalog</source>
        <translation>N11 kataloğunda değil</translation>
    </message>
    <message>
        <source>Removed from N11 catalog</source>
        <translation>N11 kataloğundan çıkarıldı</translation>
    </message>
    <message>
        <source>Any penalty / error</source>
        <translation>Tüm ceza / hata durumları</translation>
    </message>
    <message>
        <source>Penalized</source>
        <translation>Cezalı</translation>
    </message>
    <message>
        <source>Not penalized</source>
        <translation>Cezasız</translation>
    </message>
    <message>
        <source>With an error</source>
        <translation>Hatalı</translation>
    </message>
    <message>
        <source>Products</source>
        <translation>Ürünler</translation>
    </message>
    <message>
        <source>Import catalog…</source>
        <translation>Katalog içe aktar…</translation>
    </message>
    <message>
        <source>Import products, prices, stock, images and attributes from a CSV or XLSX file (you see a preview first)</source>
        <translation>Ürünleri, fiyatları, stoğu, görselleri ve özellikleri bir CSV veya XLSX dosyasından içe aktarın (önce bir önizleme görürsünüz)</translation>
    </message>
    <message>
        <source>Add to N11 catalog</source>
        <translation>N11 kataloğuna ekle</translation>
    </message>
    <message>
        <source>Add the selected products to the N11 catalog (they are then sent to N11)</source>
        <translation>Seçili ürünleri N11 kataloğuna ekler (ardından N11&apos;e gönderilirler)</translation>
    </message>
    <message>
        <source>Remove from N11 catalog</source>
        <translation>N11 kataloğundan çıkar</translation>
    </message>
    <message>
        <source>Remove the selected products from the N11 catalog (Product Delete then sets their stock to 0 on N11)</source>
        <translation>Seçili ürünleri N11 kataloğundan çıkarır (ardından Ürün Silme, N11&apos;deki stoklarını 0 yapar)</translation>
    </message>
    <message>
        <source>Pause selling on N11</source>
        <translation>N11&apos;de satışı duraklat</translation>
    </message>
    <message>
        <source>Stop selling the selected products on N11 without deleting them (N11 status Suspended; listing, price and stock are kept)</source>
        <translation>Seçili ürünlerin N11&apos;deki satışını silmeden durdurur (N11 durumu Askıda; ilan, fiyat ve stok korunur)</translation>
    </message>
    <message>
        <source>Resume selling on N11</source>
        <translation>N11&apos;de satışa devam et</translation>
    </message>
    <message>
        <source>Sell the selected paused products on N11 again (N11 status Active)</source>
        <translation>Duraklatılmış seçili ürünleri N11&apos;de yeniden satışa açar (N11 durumu Aktif)</translation>
    </message>
    <message>
        <source>Set N11 category…</source>
        <translation>N11 kategorisi belirle…</translation>
    </message>
    <message>
        <source>Put the selected products in one N11 leaf category, whatever their local category maps to (e.g. the category ID an N11 error names); they are resent with it</source>
        <translation>Yerel kategorileri neyle eşleşirse eşleşsin, seçili ürünleri tek bir N11 alt kategorisine koyar (ör. bir N11 hatasının belirttiği kategori ID&apos;si); ürünler bu kategoriyle yeniden gönderilir</translation>
    </message>
    <message>
        <source>Clear N11 category override</source>
        <translation>N11 kategori geçersiz kılmayı kaldır</translation>
    </message>
    <message>
        <source>The selected products follow their local-category mapping again (they are resent)</source>
        <translation>Seçili ürünler yeniden yerel kategori eşleştirmesine uyar (yeniden gönderilirler)</translation>
    </message>
    <message>
        <source>View on N11</source>
        <translation>N11&apos;de görüntüle</translation>
    </message>
    <message>
        <source>Open the product&apos;s page on N11 (Sales Url) in the web browser</source>
        <translation>Ürünün N11 sayfasını (Satış URL&apos;si) web tarayıcısında açar</translation>
    </message>
    <message>
        <source>Refresh</source>
        <translation>Yenile</translation>
    </message>
    <message>
        <source>Search SKU, title, product code, barcode or brand…</source>
        <translation>SKU, başlık, ürün kodu, barkod veya marka ara…</translation>
    </message>
    <message>
        <source>All categories</source>
        <translation>Tüm kategoriler</translation>
    </message>
    <message>
        <source>Any N11 state</source>
        <translation>Tüm N11 durumları</translation>
    </message>
    <message>
        <source>Not sent yet</source>
        <translation>Henüz gönderilmedi</translation>
    </message>
    <message>
        <source>Loading products…</source>
        <translation>Ürünler yükleniyor…</translation>
    </message>
    <message>
        <source>Double-click a price, list price or stock to change it. Select rows to add or remove them from the N11 catalog.</source>
        <translation>Değiştirmek için fiyat, liste fiyatı veya stoğa çift tıklayın. N11 kataloğuna eklemek veya çıkarmak için satırları seçin.</translation>
    </message>
    <message>
        <source>&lt;h2&gt;No products yet — import a CSV/XLSX catalog&lt;/h2&gt;</source>
        <translation>&lt;h2&gt;Henüz ürün yok — bir CSV/XLSX katalog içe aktarın&lt;/h2&gt;</translation>
    </message>
    <message>
        <source>One row per SKU. Columns: &lt;b&gt;sku&lt;/b&gt; (required), product_code, title, description, category (&lt;i&gt;Ayakkabı &amp;gt; Kadın &amp;gt; Sneaker&lt;/i&gt;), brand, barcode, price, list_price, vat_rate (0/1/10/20), stock, images (https URLs separated by |), preparing_day, shipment_template, active, in_catalog and any &lt;b&gt;attr:&amp;lt;Name&amp;gt;&lt;/b&gt; column such as attr:Renk.&lt;br&gt;Excel files and CSV in UTF-8 or Windows-1254 with , or ; separators and Turkish decimal commas (1.234,50) are fine. You see what would change before anything is written.</source>
        <translation>Her SKU için bir satır. Sütunlar: &lt;b&gt;sku&lt;/b&gt; (zorunlu), product_code, title, description, category (&lt;i&gt;Ayakkabı &amp;gt; Kadın &amp;gt; Sneaker&lt;/i&gt;), brand, barcode, price, list_price, vat_rate (0/1/10/20), stock, images (| ile ayrılmış https adresleri), preparing_day, shipment_template, active, in_catalog ve attr:Renk gibi herhangi bir &lt;b&gt;attr:&amp;lt;Ad&amp;gt;&lt;/b&gt; sütunu.&lt;br&gt;Excel dosyaları ve UTF-8 ya da Windows-1254 kodlu, , veya ; ayraçlı, Türkçe ondalık virgüllü (1.234,50) CSV dosyaları kabul edilir. Herhangi bir şey yazılmadan önce neyin değişeceğini görürsünüz.</translation>
    </message>
    <message>
        <source>Import catalog</source>
        <translation>Katalog içe aktar</translation>
    </message>
    <message>
        <source>Could not open a browser; the product&apos;s N11 page is %1</source>
        <translation>Tarayıcı açılamadı; ürünün N11 sayfası: %1</translation>
    </message>
    <message>
        <source>(no category)</source>
        <translation>(kategorisiz)</translation>
    </message>
    <message>
        <source>Could not load the filter lists: %1</source>
        <translation>Filtre listeleri yüklenemedi: %1</translation>
    </message>
    <message>
        <source>No products</source>
        <translation>Ürün yok</translation>
    </message>
    <message>
        <source>&lt;b&gt;%1&lt;/b&gt; of %2 products match</source>
        <translation>%2 üründen &lt;b&gt;%1&lt;/b&gt; tanesi eşleşiyor</translation>
    </message>
    <message>
        <source>&lt;b&gt;%1&lt;/b&gt; products</source>
        <translation>&lt;b&gt;%1&lt;/b&gt; ürün</translation>
    </message>
    <message>
        <source>%1 product added to the N11 catalog.</source>
        <translation>%1 ürün N11 kataloğuna eklendi.</translation>
    </message>
    <message>
        <source>%1 products added to the N11 catalog.</source>
        <translation>%1 ürün N11 kataloğuna eklendi.</translation>
    </message>
    <message>
        <source>%1 product removed from the N11 catalog.</source>
        <translation>%1 ürün N11 kataloğundan çıkarıldı.</translation>
    </message>
    <message>
        <source>%1 products removed from the N11 catalog.</source>
        <translation>%1 ürün N11 kataloğundan çıkarıldı.</translation>
    </message>
    <message>
        <source>%1 already in it.</source>
        <translation>%1 tanesi zaten içindeydi.</translation>
    </message>
    <message>
        <source>%1 already out of it.</source>
        <translation>%1 tanesi zaten dışındaydı.</translation>
    </message>
    <message>
        <source>Sending to N11…</source>
        <translation>N11&apos;e gönderiliyor…</translation>
    </message>
    <message>
        <source>Loading the N11 category tree…</source>
        <translation>N11 kategori ağacı yükleniyor…</translation>
    </message>
    <message>
        <source>N11 category not set: %1. Nothing was changed.</source>
        <translation>N11 kategorisi belirlenmedi: %1. Hiçbir şey değişmedi.</translation>
    </message>
    <message>
        <source>N11 category override cleared for %1 product; they follow the category mapping again.</source>
        <translation>%1 ürünün N11 kategori geçersiz kılması kaldırıldı; yeniden kategori eşleştirmesine uyuyor.</translation>
    </message>
    <message>
        <source>N11 category override cleared for %1 products; they follow the category mapping again.</source>
        <translation>%1 ürünün N11 kategori geçersiz kılması kaldırıldı; yeniden kategori eşleştirmesine uyuyorlar.</translation>
    </message>
    <message>
        <source>%1 product put in N11 category “%2” (%3); they are resent with it at the next Product Update / Create.</source>
        <translation>%1 ürün “%2” (%3) N11 kategorisine kondu; sonraki Ürün Güncelleme / Oluşturma&apos;da bu kategoriyle yeniden gönderilir.</translation>
    </message>
    <message>
        <source>%1 products put in N11 category “%2” (%3); they are resent with it at the next Product Update / Create.</source>
        <translation>%1 ürün “%2” (%3) N11 kategorisine kondu; sonraki Ürün Güncelleme / Oluşturma&apos;da bu kategoriyle yeniden gönderilirler.</translation>
    </message>
    <message>
        <source>%1 already without one.</source>
        <translation>%1 tanesinde zaten yoktu.</translation>
    </message>
    <message>
        <source>Checking %1…</source>
        <translation>%1 kontrol ediliyor…</translation>
    </message>
    <message>
        <source>Importing %1…</source>
        <translation>%1 içe aktarılıyor…</translation>
    </message>
    <message>
        <source>%1 was not imported: %2</source>
        <translation>%1 içe aktarılmadı: %2</translation>
    </message>
    <message>
        <source>Processing %1: %2 of %3 rows…</source>
        <translation>%1 işleniyor: %2 / %3 satır…</translation>
    </message>
    <message>
        <source>Import cancelled: nothing was written.</source>
        <translation>İçe aktarma iptal edildi: hiçbir şey yazılmadı.</translation>
    </message>
    <message>
        <source>Bad rows were skipped; they are listed in the import report.</source>
        <translation>Hatalı satırlar atlandı; içe aktarma raporunda listeleniyorlar.</translation>
    </message>
</context>
<context>
    <name>ReasonsEditor</name>
    <message>
        <source>&lt;b&gt;Id · Name · Type · Active&lt;/b&gt;</source>
        <translation>&lt;b&gt;ID · Ad · Tür · Etkin&lt;/b&gt;</translation>
    </message>
    <message>
        <source>Add reason</source>
        <translation>Neden ekle</translation>
    </message>
    <message>
        <source>reason name</source>
        <translation>neden adı</translation>
    </message>
    <message>
        <source>active</source>
        <translation>etkin</translation>
    </message>
    <message>
        <source>Remove</source>
        <translation>Kaldır</translation>
    </message>
    <message>
        <source>(no name)</source>
        <translation>(adsız)</translation>
    </message>
</context>
<context>
    <name>ReportsPanel</name>
    <message>
        <source>In the catalog but not on sale on N11</source>
        <translation>Katalogda ama N11&apos;de satışta değil</translation>
    </message>
    <message>
        <source>Price or stock differs on N11</source>
        <translation>N11&apos;de fiyat veya stok farklı</translation>
    </message>
    <message>
        <source>Fix selected (send)</source>
        <translation>Seçilenleri düzelt (gönder)</translation>
    </message>
    <message>
        <source>Send the selected products&apos; price and stock (or the product) to N11 now.</source>
        <translation>Seçili ürünlerin fiyat ve stoğunu (veya ürünün kendisini) hemen N11&apos;e gönderir.</translation>
    </message>
    <message>
        <source>Export CSV…</source>
        <translation>CSV&apos;ye aktar…</translation>
    </message>
    <message>
        <source>Title</source>
        <translation>Başlık</translation>
    </message>
    <message>
        <source>Why not on sale</source>
        <translation>Neden satışta değil</translation>
    </message>
    <message>
        <source>Fix</source>
        <translation>Çözüm</translation>
    </message>
    <message>
        <source>Differs</source>
        <translation>Fark</translation>
    </message>
    <message>
        <source>Price</source>
        <translation>Fiyat</translation>
    </message>
    <message>
        <source>List price</source>
        <translation>Liste fiyatı</translation>
    </message>
    <message>
        <source>Stock to send</source>
        <translation>Gönderilecek stok</translation>
    </message>
    <message>
        <source>N11 stock</source>
        <translation>N11 stoğu</translation>
    </message>
    <message>
        <source>Every catalog product is on sale on N11.</source>
        <translation>Tüm katalog ürünleri N11&apos;de satışta.</translation>
    </message>
    <message>
        <source>%1 catalog product(s) are not on sale on N11 (per the N11 State Sync snapshot).</source>
        <translation>%1 katalog ürünü N11&apos;de satışta değil (N11 Durum Eşitleme anlık görüntüsüne göre).</translation>
    </message>
    <message>
        <source>No price or stock differences with N11.</source>
        <translation>N11 ile fiyat veya stok farkı yok.</translation>
    </message>
    <message>
        <source>%1 product(s) differ from N11. &apos;Fix selected&apos; sends our values.</source>
        <translation>%1 ürün N11&apos;den farklı. &apos;Seçilenleri düzelt&apos; bizim değerlerimizi gönderir.</translation>
    </message>
    <message>
        <source>Select the products to fix first.</source>
        <translation>Önce düzeltilecek ürünleri seçin.</translation>
    </message>
    <message>
        <source>Sending failed: %1</source>
        <translation>Gönderim başarısız: %1</translation>
    </message>
    <message>
        <source>Sending %1 product(s) to N11 (%2)…</source>
        <translation>%1 ürün N11&apos;e gönderiliyor (%2)…</translation>
    </message>
    <message>
        <source>Export report</source>
        <translation>Raporu dışa aktar</translation>
    </message>
    <message>
        <source>Exported %1 rows to %2</source>
        <translation>%1 satır %2 dosyasına aktarıldı</translation>
    </message>
    <message>
        <source>Export failed: %1</source>
        <translation>Dışa aktarma başarısız: %1</translation>
    </message>
</context>
<context>
    <name>RetentionPanel</name>
    <message>
        <source>Keep log entries for</source>
        <translation>Günlük kayıtlarını sakla</translation>
    </message>
    <message>
        <source> days</source>
        <translation> gün</translation>
    </message>
    <message>
        <source>Apply and prune now</source>
        <translation>Uygula ve şimdi temizle</translation>
    </message>
    <message>
        <source>Removed %1 old entries.</source>
        <translation>%1 eski kayıt silindi.</translation>
    </message>
</context>
<context>
    <name>RunsPanel</name>
    <message>
        <source>All flows</source>
        <translation>Tüm akışlar</translation>
    </message>
    <message>
        <source>Any state</source>
        <translation>Tüm durumlar</translation>
    </message>
    <message>
        <source>Failed</source>
        <translation>Başarısız</translation>
    </message>
    <message>
        <source>Done</source>
        <translation>Tamamlandı</translation>
    </message>
    <message>
        <source>Running</source>
        <translation>Çalışıyor</translation>
    </message>
    <message>
        <source>Cancelled</source>
        <translation>İptal edildi</translation>
    </message>
    <message>
        <source>Flow</source>
        <translation>Akış</translation>
    </message>
    <message>
        <source>Started (UTC)</source>
        <translation>Başlangıç (UTC)</translation>
    </message>
    <message>
        <source>Trigger</source>
        <translation>Tetikleyici</translation>
    </message>
    <message>
        <source>State</source>
        <translation>Durum</translation>
    </message>
    <message>
        <source>Total</source>
        <translation>Toplam</translation>
    </message>
    <message>
        <source>OK</source>
        <translation>Başarılı</translation>
    </message>
    <message>
        <source>Penalized</source>
        <translation>Cezalı</translation>
    </message>
    <message>
        <source>Duration</source>
        <translation>Süre</translation>
    </message>
    <message>
        <source>Message</source>
        <translation>Mesaj</translation>
    </message>
    <message>
        <source>Double-click a run to see its log entries.</source>
        <translation>Günlük kayıtlarını görmek için bir çalışmaya çift tıklayın.</translation>
    </message>
    <message>
        <source>No flow has run yet. Flows run on their schedule once the channel is active, or with Run now.</source>
        <translation>Henüz hiçbir akış çalışmadı. Akışlar kanal etkinleşince zamanlamalarına göre ya da Şimdi çalıştır ile çalışır.</translation>
    </message>
</context>
<context>
    <name>ScheduleDialog</name>
    <message>
        <source>Schedule of %1</source>
        <translation>%1 zamanlaması</translation>
    </message>
    <message>
        <source>Default: %1</source>
        <translation>Varsayılan: %1</translation>
    </message>
    <message>
        <source>Now: %1</source>
        <translation>Şu an: %1</translation>
    </message>
    <message>
        <source>Every</source>
        <translation>Her</translation>
    </message>
    <message>
        <source>Daily at</source>
        <translation>Her gün saat</translation>
    </message>
    <message>
        <source> min</source>
        <translation> dk</translation>
    </message>
    <message>
        <source>Europe/Istanbul (N11&apos;s time), whatever this computer&apos;s zone</source>
        <translation>Europe/Istanbul (N11 saati), bu bilgisayarın saat dilimi ne olursa olsun</translation>
    </message>
    <message>
        <source>Reset to default</source>
        <translation>Varsayılana dön</translation>
    </message>
    <message>
        <source>This flow runs on the OMS web hook; it has no timer.</source>
        <translation>Bu akış OMS web kancasıyla çalışır; zamanlayıcısı yoktur.</translation>
    </message>
    <message>
        <source>%1: back to the default (%2)</source>
        <translation>%1: varsayılana döndü (%2)</translation>
    </message>
</context>
<context>
    <name>SchemaForm</name>
    <message>
        <source>key: %1</source>
        <translation>anahtar: %1</translation>
    </message>
</context>
<context>
    <name>SecretEditor</name>
    <message>
        <source>Show</source>
        <translation>Göster</translation>
    </message>
    <message>
        <source>Show or hide the secret</source>
        <translation>Gizli değeri göster veya gizle</translation>
    </message>
    <message>
        <source>Hide</source>
        <translation>Gizle</translation>
    </message>
</context>
<context>
    <name>SendDialog</name>
    <message>
        <source>Send to N11</source>
        <translation>N11&apos;e gönder</translation>
    </message>
    <message>
        <source>Preparing the preview…</source>
        <translation>Önizleme hazırlanıyor…</translation>
    </message>
    <message>
        <source>Send anyway (I checked the warnings above)</source>
        <translation>Yine de gönder (yukarıdaki uyarıları kontrol ettim)</translation>
    </message>
    <message>
        <source>Send</source>
        <translation>Gönder</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>İptal</translation>
    </message>
    <message>
        <source>Could not prepare the send: %1</source>
        <translation>Gönderim hazırlanamadı: %1</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>Kapat</translation>
    </message>
    <message>
        <source>%1 product(s) selected</source>
        <translation>%1 ürün seçildi</translation>
    </message>
    <message>
        <source>%1 new on N11 (created)</source>
        <translation>N11&apos;de %1 yeni (oluşturulacak)</translation>
    </message>
    <message>
        <source>%1 with changes</source>
        <translation>%1 değişiklikli</translation>
    </message>
    <message>
        <source>%1 unchanged</source>
        <translation>%1 değişmedi</translation>
    </message>
    <message>
        <source>%1 cannot be sent</source>
        <translation>%1 gönderilemez</translation>
    </message>
    <message>
        <source>%1 unknown SKU(s): %2</source>
        <translation>%1 bilinmeyen SKU: %2</translation>
    </message>
    <message>
        <source>Cannot be sent (they will be penalized with this reason): </source>
        <translation>Gönderilemez (bu nedenle cezalandırılacaklar): </translation>
    </message>
    <message>
        <source>Only products not yet on N11 are created (seed §8: updates go through the scheduled flows).</source>
        <translation>Yalnızca henüz N11&apos;de olmayan ürünler oluşturulur (güncellemeler zamanlanmış akışlarla gider).</translation>
    </message>
    <message>
        <source>%1 warning(s) — check before sending:
</source>
        <translation>%1 uyarı — göndermeden önce kontrol edin:
</translation>
    </message>
    <message>
        <source>Send anyway</source>
        <translation>Yine de gönder</translation>
    </message>
    <message>
        <source>Starting…</source>
        <translation>Başlatılıyor…</translation>
    </message>
    <message>
        <source>, about %1 s left</source>
        <translation>, yaklaşık %1 sn kaldı</translation>
    </message>
    <message>
        <source>%1 of %2</source>
        <translation>%1 / %2</translation>
    </message>
    <message>
        <source>%1 sent, %2 failed, %3 penalized, %4 skipped</source>
        <translation>%1 gönderildi, %2 başarısız, %3 cezalı, %4 atlandı</translation>
    </message>
    <message>
        <source>Cancelled: what was sent before the cancel is tracked; nothing else left.</source>
        <translation>İptal edildi: iptalden önce gönderilenler izleniyor; başka bir şey gönderilmedi.</translation>
    </message>
    <message>
        <source>Nothing was run.</source>
        <translation>Hiçbir şey çalıştırılmadı.</translation>
    </message>
    <message>
        <source>Cancelled.</source>
        <translation>İptal edildi.</translation>
    </message>
    <message>
        <source>Done.</source>
        <translation>Tamamlandı.</translation>
    </message>
    <message>
        <source>Cancelling at the next safe point…</source>
        <translation>Bir sonraki güvenli noktada iptal ediliyor…</translation>
    </message>
</context>
<context>
    <name>SettingsTab</name>
    <message>
        <source>Activate</source>
        <translation>Etkinleştir</translation>
    </message>
    <message>
        <source>Save</source>
        <translation>Kaydet</translation>
    </message>
    <message>
        <source>Revert</source>
        <translation>Geri al</translation>
    </message>
    <message>
        <source>Import…</source>
        <translation>İçe aktar…</translation>
    </message>
    <message>
        <source>Export…</source>
        <translation>Dışa aktar…</translation>
    </message>
    <message>
        <source>key: %1 · %2</source>
        <translation>anahtar: %1 · %2</translation>
    </message>
    <message>
        <source> · required</source>
        <translation> · zorunlu</translation>
    </message>
    <message>
        <source>Channel</source>
        <translation>Kanal</translation>
    </message>
    <message>
        <source>Channel Name</source>
        <translation>Kanal Adı</translation>
    </message>
    <message>
        <source>Catalog Name</source>
        <translation>Katalog Adı</translation>
    </message>
    <message>
        <source>Channel Type</source>
        <translation>Kanal Türü</translation>
    </message>
    <message>
        <source>Created automatically; should not be changed.</source>
        <translation>Otomatik oluşturuldu; değiştirilmemeli.</translation>
    </message>
    <message>
        <source>%1 (locked)</source>
        <translation>%1 (kilitli)</translation>
    </message>
    <message>
        <source>Created automatically and should not be changed. The channel does nothing until it is activated; activation checks every setting.</source>
        <translation>Otomatik oluşturuldu ve değiştirilmemeli. Kanal etkinleştirilene kadar hiçbir şey yapmaz; etkinleştirme her ayarı kontrol eder.</translation>
    </message>
    <message>
        <source>Connection</source>
        <translation>Bağlantı</translation>
    </message>
    <message>
        <source>from N11</source>
        <translation>N11&apos;den</translation>
    </message>
    <message>
        <source>e.g. 4000</source>
        <translation>ör. 4000</translation>
    </message>
    <message>
        <source>Test connection</source>
        <translation>Bağlantıyı test et</translation>
    </message>
    <message>
        <source>Uses the values in the form (saved or not).</source>
        <translation>Formdaki değerleri kullanır (kaydedilmiş olsun olmasın).</translation>
    </message>
    <message>
        <source>Catalog</source>
        <translation>Katalog</translation>
    </message>
    <message>
        <source>e.g. 1001770</source>
        <translation>ör. 1001770</translation>
    </message>
    <message>
        <source>Orders and cancellations</source>
        <translation>Siparişler ve iptaller</translation>
    </message>
    <message>
        <source>History…</source>
        <translation>Geçmiş…</translation>
    </message>
    <message>
        <source>Who changed these settings, and when</source>
        <translation>Bu ayarları kim, ne zaman değiştirdi</translation>
    </message>
    <message>
        <source>Other settings</source>
        <translation>Diğer ayarlar</translation>
    </message>
    <message>
        <source>default (%1)</source>
        <translation>varsayılan (%1)</translation>
    </message>
    <message>
        <source>How n11-desktop pages product sends (Product Create/Update, price and stock) and when the send preview warns. Not part of the N11 integration settings of the seed.</source>
        <translation>n11-desktop&apos;un ürün gönderimlerini (Ürün Oluşturma/Güncelleme, fiyat ve stok) nasıl sayfalara böldüğü ve gönderim önizlemesinin ne zaman uyardığı. N11 entegrasyon ayarlarının parçası değildir.</translation>
    </message>
    <message>
        <source>Feature Flags</source>
        <translation>Özellik Bayrakları</translation>
    </message>
    <message>
        <source>A flow runs only while its flag is on and the channel is active.</source>
        <translation>Bir akış yalnızca bayrağı açıkken ve kanal etkinken çalışır.</translation>
    </message>
    <message>
        <source>Failed Integration (penalty box)</source>
        <translation>Başarısız Entegrasyon (Ceza Kutusu)</translation>
    </message>
    <message>
        <source>Custom fields (schema type)</source>
        <translation>Özel alanlar (şema türü)</translation>
    </message>
    <message>
        <source>Add your own settings (stored under their key); the built-in fields above are locked.</source>
        <translation>Kendi ayarlarınızı ekleyin (anahtarlarıyla saklanır); yukarıdaki yerleşik alanlar kilitlidir.</translation>
    </message>
    <message>
        <source>Local cancellation reasons</source>
        <translation>Yerel iptal nedenleri</translation>
    </message>
    <message>
        <source>Active</source>
        <translation>Etkin</translation>
    </message>
    <message>
        <source>Inactive</source>
        <translation>Etkin değil</translation>
    </message>
    <message>
        <source>Deactivate</source>
        <translation>Devre dışı bırak</translation>
    </message>
    <message>
        <source>Unsaved changes</source>
        <translation>Kaydedilmemiş değişiklikler</translation>
    </message>
    <message>
        <source>&lt;b style=&apos;font-size:15px&apos;&gt;%1&lt;/b&gt; · catalog %2</source>
        <translation>&lt;b style=&apos;font-size:15px&apos;&gt;%1&lt;/b&gt; · katalog %2</translation>
    </message>
    <message>
        <source>⚠ No system keyring available: the App Secret is stored in the database file (readable by your user account only).</source>
        <translation>⚠ Sistem anahtarlığı yok: App Secret veritabanı dosyasında saklanıyor (yalnızca kullanıcı hesabınız okuyabilir).</translation>
    </message>
    <message>
        <source>(+%1 more)</source>
        <translation>(+%1 tane daha)</translation>
    </message>
    <message>
        <source>Local: %1.</source>
        <translation>Yerel: %1.</translation>
    </message>
    <message>
        <source>&lt;b&gt;Could not complete:&lt;/b&gt; %1</source>
        <translation>&lt;b&gt;Tamamlanamadı:&lt;/b&gt; %1</translation>
    </message>
    <message>
        <source>Not saved</source>
        <translation>Kaydedilmedi</translation>
    </message>
    <message>
        <source>Saved and activated</source>
        <translation>Kaydedildi ve etkinleştirildi</translation>
    </message>
    <message>
        <source>Saved</source>
        <translation>Kaydedildi</translation>
    </message>
    <message>
        <source>Not activated</source>
        <translation>Etkinleştirilmedi</translation>
    </message>
    <message>
        <source>Deactivated: no flow runs until the channel is activated again</source>
        <translation>Devre dışı bırakıldı: kanal yeniden etkinleştirilene kadar hiçbir akış çalışmaz</translation>
    </message>
    <message>
        <source>Not deactivated</source>
        <translation>Devre dışı bırakılmadı</translation>
    </message>
    <message>
        <source>%1 problem</source>
        <translation>%1 sorun</translation>
    </message>
    <message>
        <source>%1 problems</source>
        <translation>%1 sorun</translation>
    </message>
    <message>
        <source>Problems</source>
        <translation>Sorunlar</translation>
    </message>
    <message>
        <source>Connecting to %1…</source>
        <translation>%1 adresine bağlanılıyor…</translation>
    </message>
    <message>
        <source>(no Base Url)</source>
        <translation>(Temel URL yok)</translation>
    </message>
    <message>
        <source>Import channel settings</source>
        <translation>Kanal ayarlarını içe aktar</translation>
    </message>
    <message>
        <source>Settings (*.json);;All files (*)</source>
        <translation>Ayarlar (*.json);;Tüm dosyalar (*)</translation>
    </message>
    <message>
        <source>Export channel settings</source>
        <translation>Kanal ayarlarını dışa aktar</translation>
    </message>
    <message>
        <source>Settings (*.json)</source>
        <translation>Ayarlar (*.json)</translation>
    </message>
    <message>
        <source>Include the App Secret in the file? Anyone with the file can then use your N11 account.</source>
        <translation>App Secret dosyaya eklensin mi? Dosyaya sahip olan herkes N11 hesabınızı kullanabilir.</translation>
    </message>
    <message>
        <source>Imported %1</source>
        <translation>%1 içe aktarıldı</translation>
    </message>
    <message>
        <source>%1 was not imported, nothing changed</source>
        <translation>%1 içe aktarılmadı, hiçbir şey değişmedi</translation>
    </message>
    <message>
        <source>Exported the saved settings to %1 (with the App Secret)</source>
        <translation>Kaydedilmiş ayarlar %1 dosyasına aktarıldı (App Secret dahil)</translation>
    </message>
    <message>
        <source>Exported the saved settings to %1</source>
        <translation>Kaydedilmiş ayarlar %1 dosyasına aktarıldı</translation>
    </message>
</context>
<context>
    <name>ShipDialog</name>
    <message>
        <source>Ship lines</source>
        <translation>Kalemleri kargoya ver</translation>
    </message>
    <message>
        <source>Tracking number for the %1 selected line(s). It is sent to N11 only when Send Shipping Info is on (otherwise N11 manages shipping).</source>
        <translation>Seçili %1 kalem için takip numarası. Yalnızca Kargo Bilgisi Gönder açıksa N11&apos;e gönderilir (aksi halde kargoyu N11 yönetir).</translation>
    </message>
    <message>
        <source>e.g. YK1234567890</source>
        <translation>ör. YK1234567890</translation>
    </message>
</context>
<context>
    <name>StoresDialog</name>
    <message>
        <source>Manage stores</source>
        <translation>Mağazaları yönet</translation>
    </message>
    <message>
        <source>Store</source>
        <translation>Mağaza</translation>
    </message>
    <message>
        <source>Database</source>
        <translation>Veritabanı</translation>
    </message>
    <message>
        <source>Default</source>
        <translation>Varsayılan</translation>
    </message>
    <message>
        <source>Driven by</source>
        <translation>Çalıştıran</translation>
    </message>
    <message>
        <source>Add…</source>
        <translation>Ekle…</translation>
    </message>
    <message>
        <source>Rename…</source>
        <translation>Yeniden adlandır…</translation>
    </message>
    <message>
        <source>Remove</source>
        <translation>Kaldır</translation>
    </message>
    <message>
        <source>Set as default</source>
        <translation>Varsayılan yap</translation>
    </message>
    <message>
        <source>Refresh</source>
        <translation>Yenile</translation>
    </message>
    <message>
        <source>Removing a store only takes it off this list: its database stays where it is. A store a process drives (its scheduler lease) cannot be removed.</source>
        <translation>Bir mağazayı kaldırmak onu yalnızca bu listeden çıkarır: veritabanı yerinde kalır. Bir işlemin çalıştırdığı (zamanlayıcı kilidini tutan) mağaza kaldırılamaz.</translation>
    </message>
    <message>
        <source>(demo)</source>
        <translation>(demo)</translation>
    </message>
    <message>
        <source>(open here)</source>
        <translation>(burada açık)</translation>
    </message>
    <message>
        <source>no database yet</source>
        <translation>henüz veritabanı yok</translation>
    </message>
    <message>
        <source>cannot be opened: %1</source>
        <translation>açılamıyor: %1</translation>
    </message>
    <message>
        <source>%1 pid %2 on %3</source>
        <translation>%1, pid %2, %3 üzerinde</translation>
    </message>
    <message>
        <source>nobody</source>
        <translation>kimse</translation>
    </message>
    <message>
        <source>Could not read the store list: %1</source>
        <translation>Mağaza listesi okunamadı: %1</translation>
    </message>
    <message>
        <source>Working…</source>
        <translation>Çalışıyor…</translation>
    </message>
    <message>
        <source>Nothing changed: %1</source>
        <translation>Hiçbir şey değişmedi: %1</translation>
    </message>
    <message>
        <source>Store %1 added.</source>
        <translation>%1 mağazası eklendi.</translation>
    </message>
    <message>
        <source>Rename store</source>
        <translation>Mağazayı yeniden adlandır</translation>
    </message>
    <message>
        <source>New name of store %1:</source>
        <translation>%1 mağazasının yeni adı:</translation>
    </message>
    <message>
        <source>Remove store</source>
        <translation>Mağazayı kaldır</translation>
    </message>
    <message>
        <source>Remove store %1 from the list? Its database is kept; adding a store with that database brings it back.</source>
        <translation>%1 mağazası listeden kaldırılsın mı? Veritabanı korunur; bu veritabanıyla bir mağaza eklemek onu geri getirir.</translation>
    </message>
    <message>
        <source>Store %1 is now %2.</source>
        <translation>%1 mağazasının yeni adı %2.</translation>
    </message>
    <message>
        <source>Nothing changed: store %1 is open in this window; switch to another store first.</source>
        <translation>Hiçbir şey değişmedi: %1 mağazası bu pencerede açık; önce başka bir mağazaya geçin.</translation>
    </message>
    <message>
        <source>Store %1 removed from the list; its data is kept.</source>
        <translation>%1 mağazası listeden kaldırıldı; verileri duruyor.</translation>
    </message>
    <message>
        <source>Store %1 opens by default.</source>
        <translation>%1 mağazası varsayılan olarak açılacak.</translation>
    </message>
</context>
<context>
    <name>SuggestionsPage</name>
    <message>
        <source>Suggestions for what is not mapped yet. Categories are ranked on the whole local path, a Turkish e-commerce lexicon (Laptop → Dizüstü Bilgisayar, Bayan → Kadın) plus your own terms, the products&apos; titles, what you already mapped and N11&apos;s tree; Turkish letters are folded (İ/ı/ş/ğ/ü/ö/ç). Accept one by one, or all of the best ones above the threshold (and undo that if it went wrong).</source>
        <translation>Henüz eşleştirilmemiş olanlar için öneriler. Kategoriler tüm yerel yol, Türkçe e-ticaret sözlüğü (Laptop → Dizüstü Bilgisayar, Bayan → Kadın) ve sizin terimleriniz, ürün başlıkları, zaten eşleştirdikleriniz ve N11 ağacına göre sıralanır; Türkçe harfler sadeleştirilir (İ/ı/ş/ğ/ü/ö/ç). Tek tek kabul edin ya da eşiğin üzerindeki en iyileri toplu kabul edin (ters giderse geri alın).</translation>
    </message>
    <message>
        <source>Threshold:</source>
        <translation>Eşik:</translation>
    </message>
    <message>
        <source>Refresh</source>
        <translation>Yenile</translation>
    </message>
    <message>
        <source>Accept selected</source>
        <translation>Seçilenleri kabul et</translation>
    </message>
    <message>
        <source>Accept all ≥ 85%</source>
        <translation>≥ %85 olanların tümünü kabul et</translation>
    </message>
    <message>
        <source>Undo last accept</source>
        <translation>Son kabulü geri al</translation>
    </message>
    <message>
        <source>Treat</source>
        <translation>Şunu</translation>
    </message>
    <message>
        <source>your word, e.g. Smartwatch</source>
        <translation>sizin kelimeniz, ör. Smartwatch</translation>
    </message>
    <message>
        <source>as</source>
        <translation>şöyle say</translation>
    </message>
    <message>
        <source>N11&apos;s word, e.g. Akıllı Saat</source>
        <translation>N11&apos;in kelimesi, ör. Akıllı Saat</translation>
    </message>
    <message>
        <source>Teach</source>
        <translation>Öğret</translation>
    </message>
    <message>
        <source>Forget</source>
        <translation>Unut</translation>
    </message>
    <message>
        <source>Forget the term typed on the left</source>
        <translation>Soldaki terimi unutur</translation>
    </message>
    <message>
        <source>Kind</source>
        <translation>Tür</translation>
    </message>
    <message>
        <source>Local</source>
        <translation>Yerel</translation>
    </message>
    <message>
        <source>Suggested N11</source>
        <translation>Önerilen N11</translation>
    </message>
    <message>
        <source>Confidence</source>
        <translation>Güven</translation>
    </message>
    <message>
        <source>Scope</source>
        <translation>Kapsam</translation>
    </message>
    <message>
        <source>all categories</source>
        <translation>tüm kategoriler</translation>
    </message>
    <message>
        <source>category %1</source>
        <translation>kategori %1</translation>
    </message>
    <message>
        <source>Why</source>
        <translation>Neden</translation>
    </message>
    <message>
        <source>%1 term(s) of yours</source>
        <translation>sizin %1 teriminiz</translation>
    </message>
    <message>
        <source>Nothing to suggest: everything is mapped, or the N11 tree and attributes are not loaded yet.</source>
        <translation>Önerilecek bir şey yok: her şey eşleştirilmiş ya da N11 ağacı ve özellikleri henüz yüklenmemiş.</translation>
    </message>
    <message>
        <source>Accept all ≥ %1% (%2)</source>
        <translation>≥ %%1 olanların tümünü kabul et (%2)</translation>
    </message>
    <message>
        <source>category suggestion(s)</source>
        <translation>kategori önerisi</translation>
    </message>
    <message>
        <source>attribute suggestion(s)</source>
        <translation>özellik önerisi</translation>
    </message>
    <message>
        <source>value suggestion(s)</source>
        <translation>değer önerisi</translation>
    </message>
    <message>
        <source>Select suggestions to accept first.</source>
        <translation>Önce kabul edilecek önerileri seçin.</translation>
    </message>
    <message>
        <source>accepted %1 suggestion(s)</source>
        <translation>%1 öneri kabul edildi</translation>
    </message>
    <message>
        <source>%1 skipped</source>
        <translation>%1 atlandı</translation>
    </message>
    <message>
        <source>Undo last accept (%1)</source>
        <translation>Son kabulü geri al (%1)</translation>
    </message>
    <message>
        <source>undid %1 accepted suggestion(s)</source>
        <translation>kabul edilen %1 öneri geri alındı</translation>
    </message>
</context>
<context>
    <name>ValueMappingPanel</name>
    <message>
        <source>Values: select an attribute above.</source>
        <translation>Değerler: yukarıdan bir özellik seçin.</translation>
    </message>
    <message>
        <source>Local value</source>
        <translation>Yerel değer</translation>
    </message>
    <message>
        <source>Products</source>
        <translation>Ürünler</translation>
    </message>
    <message>
        <source>Sent to N11</source>
        <translation>N11&apos;e gönderilen</translation>
    </message>
    <message>
        <source>How</source>
        <translation>Nasıl</translation>
    </message>
    <message>
        <source>N11 value:</source>
        <translation>N11 değeri:</translation>
    </message>
    <message>
        <source>choose N11&apos;s value…</source>
        <translation>N11 değerini seçin…</translation>
    </message>
    <message>
        <source>for all categories (global)</source>
        <translation>tüm kategoriler için (genel)</translation>
    </message>
    <message>
        <source>for this N11 category only</source>
        <translation>yalnızca bu N11 kategorisi için</translation>
    </message>
    <message>
        <source>Save value</source>
        <translation>Değeri kaydet</translation>
    </message>
    <message>
        <source>Remove value map</source>
        <translation>Değer eşleştirmesini kaldır</translation>
    </message>
    <message>
        <source>Values of %1: map a local attribute to it first.</source>
        <translation>%1 değerleri: önce ona bir yerel özellik eşleştirin.</translation>
    </message>
    <message>
        <source>It also accepts free text: type it in the box.</source>
        <translation>Serbest metin de kabul eder: kutuya yazın.</translation>
    </message>
    <message>
        <source>Values of %1 → %2 (%3 N11 values).%4</source>
        <translation>%1 → %2 değerleri (%3 N11 değeri).%4</translation>
    </message>
    <message>
        <source>Choose one of N11&apos;s values for %1.</source>
        <translation>%1 için N11 değerlerinden birini seçin.</translation>
    </message>
    <message>
        <source>Choose an N11 value or type the free text to send.</source>
        <translation>Bir N11 değeri seçin veya gönderilecek serbest metni yazın.</translation>
    </message>
</context>
<context>
    <name>WebhookTokenEditor</name>
    <message>
        <source>Generate one for the OMS</source>
        <translation>OMS için bir tane üretin</translation>
    </message>
    <message>
        <source>Generate</source>
        <translation>Üret</translation>
    </message>
    <message>
        <source>Put a new random token here (save, then give it to the OMS)</source>
        <translation>Buraya yeni rastgele bir anahtar koyar (kaydedin, sonra OMS&apos;ye verin)</translation>
    </message>
    <message>
        <source>Copy</source>
        <translation>Kopyala</translation>
    </message>
    <message>
        <source>Copy the token to the clipboard for the OMS web hook settings</source>
        <translation>Anahtarı OMS web kancası ayarları için panoya kopyalar</translation>
    </message>
</context>
<context>
    <name>argparse</name>
    <message>
        <source>usage: </source>
        <translation>kullanım: </translation>
    </message>
    <message>
        <source>positional arguments</source>
        <translation>konumsal argümanlar</translation>
    </message>
    <message>
        <source>options</source>
        <translation>seçenekler</translation>
    </message>
    <message>
        <source>show this help message and exit</source>
        <translation>bu yardım iletisini gösterir ve çıkar</translation>
    </message>
    <message>
        <source>%(prog)s: error: %(message)s
</source>
        <translation>%(prog)s: hata: %(message)s
</translation>
    </message>
    <message>
        <source>argument %(argument_name)s: %(message)s</source>
        <translation>argüman %(argument_name)s: %(message)s</translation>
    </message>
    <message>
        <source>invalid choice: %(value)r (choose from %(choices)s)</source>
        <translation>geçersiz seçim: %(value)r (şunlardan birini seçin: %(choices)s)</translation>
    </message>
    <message>
        <source>invalid %(type)s value: %(value)r</source>
        <translation>geçersiz %(type)s değeri: %(value)r</translation>
    </message>
    <message>
        <source>the following arguments are required: %s</source>
        <translation>şu argümanlar gerekli: %s</translation>
    </message>
    <message>
        <source>unrecognized arguments: %s</source>
        <translation>tanınmayan argümanlar: %s</translation>
    </message>
    <message>
        <source>expected one argument</source>
        <translation>bir argüman bekleniyordu</translation>
    </message>
    <message>
        <source>expected at least one argument</source>
        <translation>en az bir argüman bekleniyordu</translation>
    </message>
    <message>
        <source>expected at most one argument</source>
        <translation>en fazla bir argüman bekleniyordu</translation>
    </message>
    <message>
        <source>expected %s argument</source>
        <translation>%s argüman bekleniyordu</translation>
    </message>
    <message>
        <source>expected %s arguments</source>
        <translation>%s argüman bekleniyordu</translation>
    </message>
    <message>
        <source>ambiguous option: %(option)s could match %(matches)s</source>
        <translation>belirsiz seçenek: %(option)s şunlardan biri olabilir: %(matches)s</translation>
    </message>
    <message>
        <source>not allowed with argument %s</source>
        <translation>%s argümanıyla birlikte kullanılamaz</translation>
    </message>
    <message>
        <source>one of the arguments %s is required</source>
        <translation>%s argümanlarından biri gerekli</translation>
    </message>
    <message>
        <source>unknown parser %(parser_name)r (choices: %(choices)s)</source>
        <translation>bilinmeyen komut %(parser_name)r (seçenekler: %(choices)s)</translation>
    </message>
</context>
<context>
    <name>cli</name>
    <message>
        <source>%1: error: %2 (see --help)</source>
        <extracomment>128 + SIGPIPE, what a shell reports for a tool whose reader went away</extracomment>
        <translation>%1: hata: %2 (bkz. --help)</translation>
    </message>
    <message>
        <source>an argument contains a NUL byte</source>
        <translation>bir argüman NUL baytı içeriyor</translation>
    </message>
    <message>
        <source>database: an SQLite file (default: the user data directory) or a PostgreSQL URL postgresql+psycopg://user:password@host:port/dbname[?options=-csearch_path%%3Dschema]</source>
        <translation>veritabanı: bir SQLite dosyası (varsayılan: kullanıcı veri dizini) ya da bir PostgreSQL adresi postgresql+psycopg://kullanıcı:parola@sunucu:port/veritabanı[?options=-csearch_path%%3Dşema]</translation>
    </message>
    <message>
        <source>work on this store (see `n11-desktop stores list`)</source>
        <extracomment>an SQLite file, or a database URL (str)</extracomment>
        <translation>bu mağaza üzerinde çalışır (bkz. `n11-desktop stores list`)</translation>
    </message>
    <message>
        <source>Run the N11 marketplace integration from this workstation. Without a sub-command the desktop app starts.</source>
        <translation>N11 pazaryeri entegrasyonunu bu bilgisayardan çalıştırır. Alt komut verilmezse masaüstü uygulaması açılır.</translation>
    </message>
    <message>
        <source>show the version and exit</source>
        <translation>sürümü gösterir ve çıkar</translation>
    </message>
    <message>
        <source>work on this store (`n11-desktop stores list`; default: the default store)</source>
        <translation>bu mağaza üzerinde çalışır (`n11-desktop stores list`; varsayılan: varsayılan mağaza)</translation>
    </message>
    <message>
        <source>throwaway profile against the built-in N11 sandbox (demo credentials)</source>
        <translation>yerleşik N11 test ortamına karşı geçici profil (demo kimlik bilgileri)</translation>
    </message>
    <message>
        <source>render every tab to DIR/&lt;tab&gt;.png and exit</source>
        <translation>her sekmeyi DIR/&lt;sekme&gt;.png olarak kaydeder ve çıkar</translation>
    </message>
    <message>
        <source>language of the desktop app and the commands (default: the Preferences choice, else Turkish on a Turkish system, English otherwise)</source>
        <translation>masaüstü uygulamasının ve komutların dili (varsayılan: Tercihler&apos;deki seçim, yoksa Türkçe sistemde Türkçe, diğerlerinde İngilizce)</translation>
    </message>
    <message>
        <source>give either --db or --store, not both</source>
        <translation>ya --db ya da --store verin, ikisini birden değil</translation>
    </message>
    <message>
        <source>--demo opens a throwaway profile; leave out --store (a demo store: `stores add NAME --demo`)</source>
        <translation>--demo geçici bir profil açar; --store vermeyin (demo mağaza için: `stores add NAME --demo`)</translation>
    </message>
    <message>
        <source>interrupted</source>
        <translation>kesildi</translation>
    </message>
    <message>
        <source>unexpected error: %1: %2 (set N11_DESKTOP_DEBUG=1 for details)</source>
        <translation>beklenmeyen hata: %1: %2 (ayrıntılar için N11_DESKTOP_DEBUG=1 ayarlayın)</translation>
    </message>
    <message>
        <source>run the benchmark harness (DESIGN §10)</source>
        <translation>performans ölçümlerini çalıştırır (DESIGN §10)</translation>
    </message>
    <message>
        <source>scenario names (default: all)</source>
        <translation>senaryo adları (varsayılan: hepsi)</translation>
    </message>
    <message>
        <source>small sizes, for a smoke run</source>
        <translation>küçük boyutlar, hızlı bir deneme için</translation>
    </message>
    <message>
        <source>override the size of every scenario</source>
        <translation>her senaryonun boyutunu değiştirir</translation>
    </message>
    <message>
        <source>also write the results as JSON</source>
        <translation>sonuçları ayrıca JSON olarak yazar</translation>
    </message>
    <message>
        <source>list scenarios and exit</source>
        <translation>senaryoları listeler ve çıkar</translation>
    </message>
    <message>
        <source>could not start the child process: %1</source>
        <translation>alt süreç başlatılamadı: %1</translation>
    </message>
    <message>
        <source>child process ended with exit code %1 and no result</source>
        <translation>alt süreç %1 çıkış koduyla ve sonuçsuz bitti</translation>
    </message>
    <message>
        <source>child process wrote an unreadable result</source>
        <translation>alt süreç okunamayan bir sonuç yazdı</translation>
    </message>
    <message>
        <source> (child %1 MB)</source>
        <translation> (alt süreç %1 MB)</translation>
    </message>
    <message>
        <source>scenario</source>
        <translation>senaryo</translation>
    </message>
    <message>
        <source>quick</source>
        <translation>hızlı</translation>
    </message>
    <message>
        <source>full</source>
        <translation>tam</translation>
    </message>
    <message>
        <source>who changed a setting or a mapping, and when (newest first)</source>
        <translation>bir ayarı veya eşleştirmeyi kim, ne zaman değiştirdi (en yeni önce)</translation>
    </message>
    <message>
        <source>only this area</source>
        <translation>yalnızca bu alan</translation>
    </message>
    <message>
        <source>only this object, e.g. &apos;category:Giyim &gt; Tişört&apos; or &apos;channel&apos;</source>
        <translation>yalnızca bu nesne, örn. &apos;category:Giyim &gt; Tişört&apos; veya &apos;channel&apos;</translation>
    </message>
    <message>
        <source>only the changes of this operator (user@host)</source>
        <translation>yalnızca bu operatörün değişiklikleri (kullanıcı@makine)</translation>
    </message>
    <message>
        <source>at most N rows (default 50)</source>
        <translation>en fazla N satır (varsayılan 50)</translation>
    </message>
    <message>
        <source>when (UTC)</source>
        <translation>ne zaman (UTC)</translation>
    </message>
    <message>
        <source>operator</source>
        <translation>operatör</translation>
    </message>
    <message>
        <source>area</source>
        <translation>alan</translation>
    </message>
    <message>
        <source>what changed</source>
        <translation>ne değişti</translation>
    </message>
    <message>
        <source>what</source>
        <translation>ne ölçer</translation>
    </message>
    <message>
        <source>action</source>
        <translation>işlem</translation>
    </message>
    <message>
        <source>object</source>
        <translation>nesne</translation>
    </message>
    <message>
        <source>unknown scenario(s): %1; see `bench --list`</source>
        <translation>bilinmeyen senaryo: %1; bkz. `bench --list`</translation>
    </message>
    <message>
        <source>--child-json runs exactly one scenario</source>
        <translation>--child-json tam olarak bir senaryo çalıştırır</translation>
    </message>
    <message>
        <source>%1 (size %2) …</source>
        <translation>%1 (boyut %2) …</translation>
    </message>
    <message>
        <source>%1 failed: %2</source>
        <translation>%1 başarısız: %2</translation>
    </message>
    <message>
        <source>machine: %1 · Python %2 · %3</source>
        <translation>makine: %1 · Python %2 · %3</translation>
    </message>
    <message>
        <source>size</source>
        <translation>boyut</translation>
    </message>
    <message>
        <source>time</source>
        <translation>süre</translation>
    </message>
    <message>
        <source>baseline</source>
        <translation>referans</translation>
    </message>
    <message>
        <source>ratio</source>
        <translation>oran</translation>
    </message>
    <message>
        <source>peak RSS</source>
        <translation>en yüksek RSS</translation>
    </message>
    <message>
        <source>baseline is / notes</source>
        <translation>referans / notlar</translation>
    </message>
    <message>
        <source>import the product catalog from CSV or XLSX</source>
        <translation>ürün kataloğunu CSV veya XLSX dosyasından içe aktarır</translation>
    </message>
    <message>
        <source>upsert products, prices, stock, images and attributes by sku</source>
        <translation>ürünleri, fiyatları, stoku, görselleri ve özellikleri SKU&apos;ya göre ekler veya günceller</translation>
    </message>
    <message>
        <source>Columns: sku (required), product_code, title, description, category (A &gt; B &gt; C), brand, barcode, price, list_price, currency, vat_rate, stock, images (| separated https URLs), preparing_day, shipment_template, active, in_catalog, attr:&lt;Name&gt;. CSV in UTF-8 or Windows-1254, separated by , ; or tab; Turkish decimal commas (1.234,50) are fine. Existing products: an absent column or a blank cell keeps the stored value. New products: product_code = sku, list_price = price, vat_rate 20, active 1, in_catalog 1.</source>
        <translation>Sütunlar: sku (zorunlu), product_code, title, description, category (A &gt; B &gt; C), brand, barcode, price, list_price, currency, vat_rate, stock, images (| ile ayrılmış https adresleri), preparing_day, shipment_template, active, in_catalog, attr:&lt;Ad&gt;. CSV UTF-8 veya Windows-1254 kodlamasında, virgül, noktalı virgül ya da sekmeyle ayrılmış olabilir; Türkçe ondalık virgül (1.234,50) kabul edilir. Mevcut ürünler: olmayan bir sütun ya da boş bir hücre kayıtlı değeri korur. Yeni ürünler: product_code = sku, list_price = price, vat_rate 20, active 1, in_catalog 1.</translation>
    </message>
    <message>
        <source>a .csv or .xlsx file (default: the store&apos;s linked catalog source, `stores link-catalog`)</source>
        <translation>bir .csv veya .xlsx dosyası (varsayılan: mağazanın bağlı katalog kaynağı, `stores link-catalog`)</translation>
    </message>
    <message>
        <source>show what would change and write nothing</source>
        <translation>neyin değişeceğini gösterir, hiçbir şey yazmaz</translation>
    </message>
    <message>
        <source>give FILE (this store has no linked catalog source; `n11-desktop stores link-catalog STORE FILE` links one)</source>
        <translation>DOSYA verin (bu mağazanın bağlı bir katalog kaynağı yok; `n11-desktop stores link-catalog MAĞAZA DOSYA` bir tane bağlar)</translation>
    </message>
    <message>
        <source>importing: %1/%2</source>
        <translation>içe aktarılıyor: %1/%2</translation>
    </message>
    <message>
        <source>warning: %1</source>
        <translation>uyarı: %1</translation>
    </message>
    <message>
        <source>(empty)</source>
        <translation>(boş)</translation>
    </message>
    <message>
        <source>%1: new product “%2”</source>
        <translation>%1: yeni ürün “%2”</translation>
    </message>
    <message>
        <source>… and more than %1 more changes</source>
        <translation>… ve %1 değişiklikten fazlası daha</translation>
    </message>
    <message>
        <source>… and %1 more changes</source>
        <translation>… ve %1 değişiklik daha</translation>
    </message>
    <message>
        <source> — %1 price, %2 stock, %3 catalog membership changes</source>
        <translation> — %1 fiyat, %2 stok, %3 katalog üyeliği değişikliği</translation>
    </message>
    <message>
        <source>list flows or run one to completion</source>
        <translation>akışları listeler veya birini sonuna kadar çalıştırır</translation>
    </message>
    <message>
        <source>list every flow with its flag and schedule</source>
        <translation>her akışı bayrağı ve zamanlamasıyla listeler</translation>
    </message>
    <message>
        <source>one JSON object per line</source>
        <translation>satır başına bir JSON nesnesi</translation>
    </message>
    <message>
        <source>run one flow to completion and print a summary</source>
        <translation>bir akışı sonuna kadar çalıştırır ve özetini yazar</translation>
    </message>
    <message>
        <source>flow slug, see `flow list`</source>
        <translation>akış kısa adı, bkz. `flow list`</translation>
    </message>
    <message>
        <source>limit product flows to these SKUs (repeatable)</source>
        <translation>ürün akışlarını bu SKU&apos;larla sınırlar (tekrarlanabilir)</translation>
    </message>
    <message>
        <source> (on)</source>
        <translation> (açık)</translation>
    </message>
    <message>
        <source> (off)</source>
        <translation> (kapalı)</translation>
    </message>
    <message>
        <source>slug</source>
        <translation>kısa ad</translation>
    </message>
    <message>
        <source>name</source>
        <translation>ad</translation>
    </message>
    <message>
        <source>flag</source>
        <translation>bayrak</translation>
    </message>
    <message>
        <source>schedule</source>
        <translation>zamanlama</translation>
    </message>
    <message>
        <source>status</source>
        <translation>durum</translation>
    </message>
    <message>
        <source>ready</source>
        <translation>hazır</translation>
    </message>
    <message>
        <source>not yet</source>
        <translation>henüz yok</translation>
    </message>
    <message>
        <source>%1: %2 — %3 total, %4 ok, %5 failed, %6 penalized, %7 skipped</source>
        <translation>%1: %2 — toplam %3, %4 başarılı, %5 başarısız, %6 cezalı, %7 atlandı</translation>
    </message>
    <message>
        <source>the eight dashboard KPIs with the N11 snapshot&apos;s age</source>
        <translation>gösterge panelinin sekiz göstergesi ve N11 verilerinin yaşı</translation>
    </message>
    <message>
        <source>one JSON object per KPI</source>
        <translation>gösterge başına bir JSON nesnesi</translation>
    </message>
    <message>
        <source>kpi</source>
        <translation>gösterge</translation>
    </message>
    <message>
        <source>value</source>
        <translation>değer</translation>
    </message>
    <message>
        <source>last fix run (found / resent / fixed / still different / explained)</source>
        <translation>son düzeltme çalışması (bulunan / yeniden gönderilen / düzelen / hâlâ farklı / açıklanan)</translation>
    </message>
    <message>
        <source>no fix run yet</source>
        <translation>henüz düzeltme çalışması yok</translation>
    </message>
    <message>
        <source>import, export or suggest category/attribute mappings</source>
        <translation>kategori/özellik eşleştirmelerini içe aktarır, dışa aktarır veya önerir</translation>
    </message>
    <message>
        <source>write the good rows of a mapping CSV</source>
        <translation>bir eşleştirme CSV&apos;sinin geçerli satırlarını yazar</translation>
    </message>
    <message>
        <source>Columns: kind,local,n11_id,category_id[,custom_value]. Rows apply in order; importing the same file twice changes nothing the second time.</source>
        <translation>Sütunlar: kind,local,n11_id,category_id[,custom_value]. Satırlar sırayla uygulanır; aynı dosyayı ikinci kez içe aktarmak hiçbir şeyi değiştirmez.</translation>
    </message>
    <message>
        <source>write every mapping to a CSV (stable order)</source>
        <translation>tüm eşleştirmeleri bir CSV&apos;ye yazar (sabit sırada)</translation>
    </message>
    <message>
        <source>ranked suggestions for unmapped categories, attributes and values</source>
        <translation>eşleştirilmemiş kategoriler, özellikler ve değerler için sıralı öneriler</translation>
    </message>
    <message>
        <source>candidates per local category (default 3)</source>
        <translation>yerel kategori başına aday sayısı (varsayılan 3)</translation>
    </message>
    <message>
        <source>the suggestions&apos; extra words: treat X as Y</source>
        <translation>önerilerin ek sözcükleri: X&apos;i Y olarak say</translation>
    </message>
    <message>
        <source>treat LOCAL (your word) as N11 (N11&apos;s word)</source>
        <translation>LOCAL&apos;i (sizin sözcüğünüz) N11 (N11&apos;in sözcüğü) olarak sayar</translation>
    </message>
    <message>
        <source>forget a term</source>
        <translation>bir terimi unutur</translation>
    </message>
    <message>
        <source>list your terms</source>
        <translation>terimlerinizi listeler</translation>
    </message>
    <message>
        <source>values for N11 attributes the catalog does not carry (e.g. Menşei)</source>
        <translation>katalogda olmayan N11 özellikleri için değerler (ör. Menşei)</translation>
    </message>
    <message>
        <source>set the default of an N11 attribute</source>
        <translation>bir N11 özelliğinin varsayılan değerini ayarlar</translation>
    </message>
    <message>
        <source>one of N11&apos;s values of the attribute</source>
        <translation>özelliğin N11 değerlerinden biri</translation>
    </message>
    <message>
        <source>an N11 value name, or free text where N11 accepts it</source>
        <translation>bir N11 değer adı ya da N11&apos;in kabul ettiği yerde serbest metin</translation>
    </message>
    <message>
        <source>only in this N11 leaf (default: every leaf offering the attribute)</source>
        <translation>yalnızca bu N11 alt kategorisinde (varsayılan: özelliği sunan her alt kategori)</translation>
    </message>
    <message>
        <source>remove a default</source>
        <translation>bir varsayılanı kaldırır</translation>
    </message>
    <message>
        <source>list the defaults</source>
        <translation>varsayılanları listeler</translation>
    </message>
    <message>
        <source>mapping import: %1</source>
        <translation>eşleştirme içe aktarma: %1</translation>
    </message>
    <message>
        <source>cannot write %1: %2</source>
        <translation>%1 yazılamadı: %2</translation>
    </message>
    <message>
        <source>mapping export: %1 rows written to %2</source>
        <translation>eşleştirme dışa aktarma: %1 satır %2 dosyasına yazıldı</translation>
    </message>
    <message>
        <source>nothing to suggest: every local category, attribute and value is mapped (or the N11 tree/attributes are not loaded yet — run category_node and category_attributes)</source>
        <translation>önerilecek bir şey yok: her yerel kategori, özellik ve değer eşleştirilmiş (ya da N11 ağacı/özellikleri henüz yüklenmedi — category_node ve category_attributes akışlarını çalıştırın)</translation>
    </message>
    <message>
        <source>kind</source>
        <translation>tür</translation>
    </message>
    <message>
        <source>local</source>
        <translation>yerel</translation>
    </message>
    <message>
        <source>confidence</source>
        <translation>güven</translation>
    </message>
    <message>
        <source>scope</source>
        <translation>kapsam</translation>
    </message>
    <message>
        <source>reason</source>
        <translation>gerekçe</translation>
    </message>
    <message>
        <source>global</source>
        <translation>genel</translation>
    </message>
    <message>
        <source>all categories</source>
        <translation>tüm kategoriler</translation>
    </message>
    <message>
        <source>(value %1)</source>
        <translation>(değer %1)</translation>
    </message>
    <message>
        <source>list or export orders</source>
        <translation>siparişleri listeler veya dışa aktarır</translation>
    </message>
    <message>
        <source>list orders (newest first)</source>
        <translation>siparişleri listeler (en yeni önce)</translation>
    </message>
    <message>
        <source>only this status (waiting_approval, approved, shipped, delivered, completed, cancelled, refunded, late, not_reported, waiting_erp = a cancellation waits for the ERP)</source>
        <translation>yalnızca bu durum (waiting_approval, approved, shipped, delivered, completed, cancelled, refunded, late, not_reported, waiting_erp = bir iptal ERP&apos;yi bekliyor)</translation>
    </message>
    <message>
        <source>at most this many orders (default 1000)</source>
        <translation>en fazla bu kadar sipariş (varsayılan 1000)</translation>
    </message>
    <message>
        <source>sort by ordered_at, number, status, customer, city, total, cargo, invoice or erp_reported, as the Orders tab&apos;s columns do; a leading - sorts descending: --sort=-total (default -ordered_at, newest first)</source>
        <translation>ordered_at, number, status, customer, city, total, cargo, invoice veya erp_reported&apos;a göre sıralar (Siparişler sekmesinin sütunları gibi); başındaki - azalan sıralar: --sort=-total (varsayılan -ordered_at, en yeni önce)</translation>
    </message>
    <message>
        <source>write order lines to a CSV file (e.g. for the ERP)</source>
        <translation>sipariş satırlarını bir CSV dosyasına yazar (ör. ERP için)</translation>
    </message>
    <message>
        <source>only orders with this status</source>
        <translation>yalnızca bu durumdaki siparişler</translation>
    </message>
    <message>
        <source>mark the exported orders as reported to the ERP once the file is written</source>
        <translation>dosya yazılınca dışa aktarılan siparişleri ERP&apos;ye bildirildi olarak işaretler</translation>
    </message>
    <message>
        <source>mark orders as reported to the ERP (their cancellations can then be written)</source>
        <translation>siparişleri ERP&apos;ye bildirildi olarak işaretler (iptalleri ancak o zaman yazılabilir)</translation>
    </message>
    <message>
        <source>N11 order number or formatted order number</source>
        <translation>N11 sipariş numarası veya biçimlendirilmiş sipariş numarası</translation>
    </message>
    <message>
        <source>a CSV of order numbers (column n11_order_number / order_number, else the first)</source>
        <translation>sipariş numaralarından oluşan bir CSV (n11_order_number / order_number sütunu, yoksa ilk sütun)</translation>
    </message>
    <message>
        <source>cancellation requests from N11: answered, written, or what they wait for</source>
        <translation>N11&apos;den gelen iptal talepleri: yanıtlanan, yazılan ya da neyi bekledikleri</translation>
    </message>
    <message>
        <source>only requests that wait (order not imported / not reported to the ERP)</source>
        <translation>yalnızca bekleyen talepler (sipariş içe aktarılmamış / ERP&apos;ye bildirilmemiş)</translation>
    </message>
    <message>
        <source>bring in the orders first seen past New (recorded as history), marked as history and as reported to the ERP (never new work for it)</source>
        <translation>N11&apos;de ilk kez Yeni durumunu geçmişken görülen siparişleri getirir (geçmiş olarak kaydedilir): geçmiş ve ERP&apos;ye bildirilmiş olarak işaretlenir, ERP için asla yeni iş olmaz</translation>
    </message>
    <message>
        <source>list, export or import the N11 address names → local city / township / district mapping (CSV)</source>
        <translation>N11 adres adları → yerel il / ilçe / mahalle eşleştirmesini listeler, dışa veya içe aktarır (CSV)</translation>
    </message>
    <message>
        <source>list, export or import the local cargo companies → N11 shipment companies mapping (CSV)</source>
        <translation>yerel kargo firmaları → N11 kargo firmaları eşleştirmesini listeler, dışa veya içe aktarır (CSV)</translation>
    </message>
    <message>
        <source>print the mapping</source>
        <translation>eşleştirmeyi yazdırır</translation>
    </message>
    <message>
        <source>only names still waiting for a local node</source>
        <translation>yalnızca hâlâ yerel bir düğüm bekleyen adlar</translation>
    </message>
    <message>
        <source>write the mapping to a CSV file</source>
        <translation>eşleştirmeyi bir CSV dosyasına yazar</translation>
    </message>
    <message>
        <source>read a CSV file (the export&apos;s columns); all rows or nothing</source>
        <translation>bir CSV dosyası okur (dışa aktarmanın sütunları); ya tüm satırlar ya hiçbiri</translation>
    </message>
    <message>
        <source>serve the OMS split-package web hook until interrupted</source>
        <translation>OMS paket bölme web kancasını durdurulana kadar sunar</translation>
    </message>
    <message>
        <source>address to bind (default 127.0.0.1, loopback only)</source>
        <translation>dinlenecek adres (varsayılan 127.0.0.1, yalnızca yerel)</translation>
    </message>
    <message>
        <source>TCP port (default 8765; 0 = any free)</source>
        <translation>TCP portu (varsayılan 8765; 0 = boştaki herhangi biri)</translation>
    </message>
    <message>
        <source>expected &apos;Authorization: Token …&apos; value (default: $N11_WEBHOOK_TOKEN)</source>
        <translation>beklenen &apos;Authorization: Token …&apos; değeri (varsayılan: $N11_WEBHOOK_TOKEN)</translation>
    </message>
    <message>
        <source>accept only order.split_package_&lt;this id&gt;</source>
        <translation>yalnızca order.split_package_&lt;bu kimlik&gt; kabul edilir</translation>
    </message>
    <message>
        <source>unknown status %1; use one of %2</source>
        <translation>bilinmeyen durum %1; şunlardan birini kullanın: %2</translation>
    </message>
    <message>
        <source>cannot sort by %1; use one of %2 (a leading - sorts descending)</source>
        <translation>%1 ile sıralanamaz; şunlardan birini kullanın: %2 (başındaki - azalan sıralar)</translation>
    </message>
    <message>
        <source>yes</source>
        <translation>evet</translation>
    </message>
    <message>
        <source>no</source>
        <translation>hayır</translation>
    </message>
    <message>
        <source>order</source>
        <translation>sipariş</translation>
    </message>
    <message>
        <source>customer</source>
        <translation>müşteri</translation>
    </message>
    <message>
        <source>city</source>
        <translation>il</translation>
    </message>
    <message>
        <source>lines</source>
        <translation>satır</translation>
    </message>
    <message>
        <source>total</source>
        <translation>toplam</translation>
    </message>
    <message>
        <source>ordered</source>
        <translation>sipariş tarihi</translation>
    </message>
    <message>
        <source>cargo</source>
        <translation>kargo</translation>
    </message>
    <message>
        <source>ERP</source>
        <translation>ERP</translation>
    </message>
    <message>
        <source> (late)</source>
        <translation> (gecikmiş)</translation>
    </message>
    <message>
        <source>wrote %1 order lines to %2</source>
        <translation>%1 sipariş satırı %2 dosyasına yazıldı</translation>
    </message>
    <message>
        <source>give order numbers or --file FILE.csv</source>
        <translation>sipariş numaraları ya da --file DOSYA.csv verin</translation>
    </message>
    <message>
        <source>claim</source>
        <translation>talep</translation>
    </message>
    <message>
        <source>N11 status</source>
        <translation>N11 durumu</translation>
    </message>
    <message>
        <source>decision</source>
        <translation>karar</translation>
    </message>
    <message>
        <source>waits for</source>
        <translation>beklediği</translation>
    </message>
    <message>
        <source>%1 of %2 orders recorded as history imported (marked as history); order_create: %3</source>
        <translation>geçmiş olarak kaydedilen %2 siparişten %1 tanesi içe aktarıldı (geçmiş olarak işaretlendi); order_create: %3</translation>
    </message>
    <message>
        <source>wrote %1 rows to %2</source>
        <translation>%1 satır %2 dosyasına yazıldı</translation>
    </message>
    <message>
        <source>file not found</source>
        <translation>dosya bulunamadı</translation>
    </message>
    <message>
        <source>cannot be read as UTF-8 text (byte %1)</source>
        <translation>UTF-8 metin olarak okunamıyor (bayt %1)</translation>
    </message>
    <message>
        <source>address map: %1 added, %2 changed; run `n11-desktop flow run order_create` to fetch the waiting orders again</source>
        <translation>adres eşleştirmesi: %1 eklendi, %2 değişti; bekleyen siparişleri yeniden almak için `n11-desktop flow run order_create` çalıştırın</translation>
    </message>
    <message>
        <source>cargo map: %1 cargo companies added or changed</source>
        <translation>kargo eşleştirmesi: %1 kargo firması eklendi veya değişti</translation>
    </message>
    <message>
        <source>web hook not started: %1</source>
        <translation>web kancası başlatılamadı: %1</translation>
    </message>
    <message>
        <source>OMS web hook listening on %1 (Ctrl+C stops)</source>
        <translation>OMS web kancası dinliyor: %1 (Ctrl+C durdurur)</translation>
    </message>
    <message>
        <source>list the penalty box or lift penalties from a CSV</source>
        <translation>Ceza Kutusunu listeler veya bir CSV&apos;den cezaları kaldırır</translation>
    </message>
    <message>
        <source>show records held in the penalty box</source>
        <translation>Ceza Kutusunda tutulan kayıtları gösterir</translation>
    </message>
    <message>
        <source>include lifted penalties</source>
        <translation>kaldırılmış cezaları da gösterir</translation>
    </message>
    <message>
        <source>apply a CSV: lift penalties, delete failed integrations, bump version dates</source>
        <translation>bir CSV uygular: cezaları kaldırır, başarısız entegrasyonları siler, sürüm tarihlerini günceller</translation>
    </message>
    <message>
        <source>CSV with a header: `sku` (required), optional `content_type` (product, productstock, productprice; empty = all) and `action` (lift, delete, bump). Bad rows are listed and nothing changes.</source>
        <translation>Başlıklı CSV: `sku` (zorunlu), isteğe bağlı `content_type` (product, productstock, productprice; boş = hepsi) ve `action` (lift, delete, bump). Hatalı satırlar listelenir ve hiçbir şey değişmez.</translation>
    </message>
    <message>
        <source>action for rows without an `action` column value (default lift)</source>
        <translation>`action` sütunu boş olan satırlar için işlem (varsayılan lift)</translation>
    </message>
    <message>
        <source>sku</source>
        <translation>sku</translation>
    </message>
    <message>
        <source>content type</source>
        <translation>içerik türü</translation>
    </message>
    <message>
        <source>retries</source>
        <translation>deneme</translation>
    </message>
    <message>
        <source>next retry</source>
        <translation>sonraki deneme</translation>
    </message>
    <message>
        <source>state</source>
        <translation>durum</translation>
    </message>
    <message>
        <source>message</source>
        <translation>ileti</translation>
    </message>
    <message>
        <source>manual</source>
        <translation>elle</translation>
    </message>
    <message>
        <source>(the penalty box is empty)</source>
        <translation>(Ceza Kutusu boş)</translation>
    </message>
    <message>
        <source>no such file</source>
        <translation>böyle bir dosya yok</translation>
    </message>
    <message>
        <source>list products with their N11 state</source>
        <translation>ürünleri N11 durumlarıyla listeler</translation>
    </message>
    <message>
        <source>list products (readable table, or JSON lines with --json)</source>
        <translation>ürünleri listeler (okunabilir tablo ya da --json ile JSON satırları)</translation>
    </message>
    <message>
        <source>one JSON object per line: sku, state, n11_product_id, remote_status, last_error, price, list_price, stock, in_catalog, penalized, title, category, n11_category (override)</source>
        <translation>satır başına bir JSON nesnesi: sku, state, n11_product_id, remote_status, last_error, price, list_price, stock, in_catalog, penalized, title, category, n11_category (ürüne özel kategori)</translation>
    </message>
    <message>
        <source>only this N11 state (ledger state or N11 status; not_sent = never sent)</source>
        <translation>yalnızca bu N11 durumu (kayıt durumu veya N11 durumu; not_sent = hiç gönderilmedi)</translation>
    </message>
    <message>
        <source>only products in the penalty box</source>
        <translation>yalnızca Ceza Kutusundaki ürünler</translation>
    </message>
    <message>
        <source>only products whose sku, title, code, barcode or brand contains T</source>
        <translation>yalnızca SKU&apos;su, başlığı, kodu, barkodu veya markası T içeren ürünler</translation>
    </message>
    <message>
        <source>at most N products</source>
        <translation>en fazla N ürün</translation>
    </message>
    <message>
        <source>put one product in an N11 leaf category whatever its local category maps to (e.g. the category ID an N11 error names); the product is resent with it</source>
        <translation>bir ürünü, yerel kategorisi neyle eşleşirse eşleşsin bir N11 alt kategorisine koyar (ör. bir N11 hatasının verdiği kategori ID&apos;si); ürün bu kategoriyle yeniden gönderilir</translation>
    </message>
    <message>
        <source>an N11 leaf category id from the category tree</source>
        <translation>kategori ağacından bir N11 alt kategori kimliği</translation>
    </message>
    <message>
        <source>drop a product&apos;s N11 category override (it follows the category mapping again)</source>
        <translation>ürüne özel N11 kategorisini kaldırır (ürün yeniden kategori eşleştirmesini izler)</translation>
    </message>
    <message>
        <source>stop selling these products on N11 without deleting them (N11 status Suspended: listing, price and stock are kept)</source>
        <translation>bu ürünlerin N11&apos;de satışını silmeden durdurur (N11 durumu Suspended: ilan, fiyat ve stok korunur)</translation>
    </message>
    <message>
        <source>start selling these products on N11 again (N11 status Active)</source>
        <translation>bu ürünleri N11&apos;de yeniden satışa açar (N11 durumu Active)</translation>
    </message>
    <message>
        <source>--limit must be 0 or more</source>
        <translation>--limit 0 veya daha büyük olmalı</translation>
    </message>
    <message>
        <source>removed</source>
        <translation>çıkarıldı</translation>
    </message>
    <message>
        <source>title</source>
        <translation>başlık</translation>
    </message>
    <message>
        <source>price</source>
        <translation>fiyat</translation>
    </message>
    <message>
        <source>stock</source>
        <translation>stok</translation>
    </message>
    <message>
        <source>catalog</source>
        <translation>katalog</translation>
    </message>
    <message>
        <source>n11 id</source>
        <translation>n11 kimliği</translation>
    </message>
    <message>
        <source>last error</source>
        <translation>son hata</translation>
    </message>
    <message>
        <source>not sent</source>
        <translation>gönderilmedi</translation>
    </message>
    <message>
        <source> ⚠ penalized</source>
        <translation> ⚠ cezalı</translation>
    </message>
    <message>
        <source>%1 of %2 products</source>
        <translation>%2 üründen %1 tanesi</translation>
    </message>
    <message>
        <source>%1: %2; nothing changed</source>
        <translation>%1: %2; hiçbir şey değişmedi</translation>
    </message>
    <message>
        <source>%1: N11 category override cleared</source>
        <translation>%1: ürüne özel N11 kategorisi kaldırıldı</translation>
    </message>
    <message>
        <source>%1: had no N11 category override</source>
        <translation>%1: ürüne özel N11 kategorisi yoktu</translation>
    </message>
    <message>
        <source>%1: N11 category set to “%2” (%3); it is resent at the next Product Update / Create</source>
        <translation>%1: N11 kategorisi “%2” (%3) olarak ayarlandı; sonraki Ürün Güncelleme / Oluşturma&apos;da yeniden gönderilir</translation>
    </message>
    <message>
        <source>%1: already in N11 category “%2” (%3)</source>
        <translation>%1: zaten “%2” (%3) N11 kategorisinde</translation>
    </message>
    <message>
        <source>price/stock difference and not-on-sale reports</source>
        <translation>fiyat/stok farkı ve satışta olmayanlar raporları</translation>
    </message>
    <message>
        <source>price-stock: SKUs on sale whose N11 price or stock differs; not-on-sale: catalog SKUs not on sale on N11, with the reason and the fix</source>
        <translation>price-stock: N11 fiyatı veya stoku farklı olan satıştaki SKU&apos;lar; not-on-sale: N11&apos;de satışta olmayan katalog SKU&apos;ları, nedeni ve çözümüyle</translation>
    </message>
    <message>
        <source>why not on sale</source>
        <translation>neden satışta değil</translation>
    </message>
    <message>
        <source>fix</source>
        <translation>çözüm</translation>
    </message>
    <message>
        <source>differs</source>
        <translation>fark</translation>
    </message>
    <message>
        <source>price → N11</source>
        <translation>fiyat → N11</translation>
    </message>
    <message>
        <source>list price → N11</source>
        <translation>liste fiyatı → N11</translation>
    </message>
    <message>
        <source>stock to send → N11</source>
        <translation>gönderilecek stok → N11</translation>
    </message>
    <message>
        <source>%1 row(s)</source>
        <translation>%1 satır</translation>
    </message>
    <message>
        <source>run the scheduler headless until interrupted (SIGINT/SIGTERM stop it cleanly)</source>
        <translation>zamanlayıcıyı pencere olmadan durdurulana kadar çalıştırır (SIGINT/SIGTERM düzgünce durdurur)</translation>
    </message>
    <message>
        <source>run every due flow once, then exit</source>
        <translation>zamanı gelen her akışı bir kez çalıştırır, sonra çıkar</translation>
    </message>
    <message>
        <source>flows running at the same time (default 3)</source>
        <translation>aynı anda çalışan akış sayısı (varsayılan 3)</translation>
    </message>
    <message>
        <source>seconds to wait for running flows to stop at a safe point (default 30)</source>
        <translation>çalışan akışların güvenli bir noktada durması için beklenecek saniye (varsayılan 30)</translation>
    </message>
    <message>
        <source>drive every store of the store registry, each under its own lease; a store that cannot run is reported and tried again, never stopping the others</source>
        <translation>mağaza listesindeki her mağazayı kendi kilidiyle çalıştırır; çalışamayan bir mağaza bildirilir ve yeniden denenir, diğerlerini asla durdurmaz</translation>
    </message>
    <message>
        <source>with --all-stores: flows running at the same time in all stores together (default 4; --workers is each store&apos;s own limit)</source>
        <translation>--all-stores ile: tüm mağazalarda birlikte aynı anda çalışan akış sayısı (varsayılan 4; --workers her mağazanın kendi sınırıdır)</translation>
    </message>
    <message>
        <source>with --all-stores: seconds before a store that could not run is tried again (default 60)</source>
        <translation>--all-stores ile: çalışamayan bir mağazanın yeniden denenmesinden önceki saniye (varsayılan 60)</translation>
    </message>
    <message>
        <source>--workers must be at least 1</source>
        <translation>--workers en az 1 olmalı</translation>
    </message>
    <message>
        <source>started  %1 (%2)</source>
        <translation>başladı  %1 (%2)</translation>
    </message>
    <message>
        <source>skipped  %1: %2</source>
        <translation>atlandı  %1: %2</translation>
    </message>
    <message>
        <source>finished %1: %2 — %3 total, %4 ok, %5 failed, %6 penalized</source>
        <translation>bitti %1: %2 — toplam %3, %4 başarılı, %5 başarısız, %6 cezalı</translation>
    </message>
    <message>
        <source>channel %1 is inactive; nothing is scheduled until it is activated (`n11-desktop settings activate`)</source>
        <translation>%1 kanalı etkin değil; etkinleştirilene kadar hiçbir şey zamanlanmaz (`n11-desktop settings activate`)</translation>
    </message>
    <message>
        <source>scheduler running every due flow once</source>
        <translation>zamanlayıcı zamanı gelen her akışı bir kez çalıştırıyor</translation>
    </message>
    <message>
        <source>scheduler started; Ctrl+C or SIGTERM stops it</source>
        <translation>zamanlayıcı başladı; Ctrl+C veya SIGTERM durdurur</translation>
    </message>
    <message>
        <source>%1 received; running flows stopped at a safe point</source>
        <translation>%1 alındı; çalışan akışlar güvenli bir noktada durduruldu</translation>
    </message>
    <message>
        <source>stopped: %1</source>
        <translation>durdu: %1</translation>
    </message>
    <message>
        <source>stopped</source>
        <translation>durdu</translation>
    </message>
    <message>
        <source>stopped (some flows did not stop in time)</source>
        <translation>durdu (bazı akışlar zamanında durmadı)</translation>
    </message>
    <message>
        <source>--all-stores drives the stores of the registry; leave out --db, --store and --demo</source>
        <translation>--all-stores listedeki mağazaları çalıştırır; --db, --store ve --demo vermeyin</translation>
    </message>
    <message>
        <source>no stores in %1 (`n11-desktop stores add NAME`)</source>
        <translation>%1 içinde mağaza yok (`n11-desktop stores add AD`)</translation>
    </message>
    <message>
        <source>store %1: scheduler started</source>
        <translation>mağaza %1: zamanlayıcı başladı</translation>
    </message>
    <message>
        <source>store %1: removed from the store list; its scheduler stopped and its lease is released</source>
        <translation>%1 mağazası: mağaza listesinden kaldırıldı; zamanlayıcısı durdu ve kilidi bırakıldı</translation>
    </message>
    <message>
        <source>; tried again in %1 s</source>
        <translation>; %1 sn sonra yeniden denenecek</translation>
    </message>
    <message>
        <source>store %1: %2: %3</source>
        <translation>mağaza %1: %2: %3</translation>
    </message>
    <message>
        <source>%1 store(s) from %2; running every due flow of each once</source>
        <translation>%2 dosyasından %1 mağaza; her birinin zamanı gelen akışları bir kez çalıştırılıyor</translation>
    </message>
    <message>
        <source>%1 store(s) from %2; Ctrl+C or SIGTERM stops them</source>
        <translation>%2 dosyasından %1 mağaza; Ctrl+C veya SIGTERM durdurur</translation>
    </message>
    <message>
        <source>store %1</source>
        <translation>mağaza %1</translation>
    </message>
    <message>
        <source>run the local N11 sandbox (see `sandbox --help`)</source>
        <translation>yerel N11 test ortamını çalıştırır (bkz. `sandbox --help`)</translation>
    </message>
    <message>
        <source>show or change when each flow runs</source>
        <translation>her akışın ne zaman çalıştığını gösterir veya değiştirir</translation>
    </message>
    <message>
        <source>every flow with its default and current schedule</source>
        <translation>her akış, varsayılan ve geçerli zamanlamasıyla</translation>
    </message>
    <message>
        <source>set a flow&apos;s interval (90s, 5m, 2h, 1d; 1 minute to 7 days) or daily time</source>
        <translation>bir akışın aralığını (90s, 5m, 2h, 1d; 1 dakikadan 7 güne) veya günlük saatini ayarlar</translation>
    </message>
    <message>
        <source>flow slug, see `schedule list`</source>
        <translation>akış kısa adı, bkz. `schedule list`</translation>
    </message>
    <message>
        <source>interval, e.g. 5m, 30m, 2h, 1d</source>
        <translation>aralık, ör. 5m, 30m, 2h, 1d</translation>
    </message>
    <message>
        <source>run once a day at this time, Europe/Istanbul</source>
        <translation>her gün bu saatte bir kez çalıştırır (Europe/Istanbul)</translation>
    </message>
    <message>
        <source>back to the default schedule</source>
        <translation>varsayılan zamanlamaya döner</translation>
    </message>
    <message>
        <source>flow slug</source>
        <translation>akış kısa adı</translation>
    </message>
    <message>
        <source>reset every flow</source>
        <translation>her akışı sıfırlar</translation>
    </message>
    <message>
        <source>current</source>
        <translation>geçerli</translation>
    </message>
    <message>
        <source>default</source>
        <translation>varsayılan</translation>
    </message>
    <message>
        <source>changed</source>
        <translation>değişti</translation>
    </message>
    <message>
        <source>give either an interval (e.g. 10m) or --daily HH:MM</source>
        <translation>ya bir aralık (ör. 10m) ya da --daily SS:DD verin</translation>
    </message>
    <message>
        <source>give a flow slug or --all</source>
        <translation>bir akış kısa adı veya --all verin</translation>
    </message>
    <message>
        <source>%1 schedule(s) back to the default</source>
        <translation>%1 zamanlama varsayılana döndü</translation>
    </message>
    <message>
        <source>show, import, export, activate or deactivate channel settings</source>
        <translation>kanal ayarlarını gösterir, içe/dışa aktarır, etkinleştirir veya devre dışı bırakır</translation>
    </message>
    <message>
        <source>print the channel settings (the App Secret masked)</source>
        <translation>kanal ayarlarını yazdırır (App Secret gizlenir)</translation>
    </message>
    <message>
        <source>print the settings file instead (no secret)</source>
        <translation>bunun yerine ayar dosyasını yazdırır (gizli anahtar olmadan)</translation>
    </message>
    <message>
        <source>apply a settings file {&quot;is_active&quot;, &quot;conf&quot;, &quot;schema_type&quot;}; nothing changes if any value is invalid</source>
        <translation>bir ayar dosyası uygular {&quot;is_active&quot;, &quot;conf&quot;, &quot;schema_type&quot;}; herhangi bir değer geçersizse hiçbir şey değişmez</translation>
    </message>
    <message>
        <source>settings file (JSON)</source>
        <translation>ayar dosyası (JSON)</translation>
    </message>
    <message>
        <source>write the settings file (without the App Secret)</source>
        <translation>ayar dosyasını yazar (App Secret olmadan)</translation>
    </message>
    <message>
        <source>where to write, &apos;-&apos; for standard output</source>
        <translation>nereye yazılacağı, standart çıktı için &apos;-&apos;</translation>
    </message>
    <message>
        <source>also write the App Secret</source>
        <translation>App Secret&apos;ı da yazar</translation>
    </message>
    <message>
        <source>validate everything and switch the channel on</source>
        <translation>her şeyi doğrular ve kanalı etkinleştirir</translation>
    </message>
    <message>
        <source>switch the channel off (no flow runs)</source>
        <translation>kanalı devre dışı bırakır (hiçbir akış çalışmaz)</translation>
    </message>
    <message>
        <source>(%1 problems):</source>
        <translation>(%1 sorun):</translation>
    </message>
    <message>
        <source>Channel %1 (catalog %2, type %3): %4</source>
        <translation>Kanal %1 (katalog %2, tür %3): %4</translation>
    </message>
    <message>
        <source>active</source>
        <translation>etkin</translation>
    </message>
    <message>
        <source>inactive</source>
        <translation>etkin değil</translation>
    </message>
    <message>
        <source>(all off)</source>
        <translation>(hepsi kapalı)</translation>
    </message>
    <message>
        <source>******** (in the system keyring)</source>
        <translation>******** (sistem anahtarlığında)</translation>
    </message>
    <message>
        <source>******** (in the database; no system keyring)</source>
        <translation>******** (veritabanında; sistem anahtarlığı yok)</translation>
    </message>
    <message>
        <source>******** (in the settings)</source>
        <translation>******** (ayarlarda)</translation>
    </message>
    <message>
        <source>field</source>
        <translation>alan</translation>
    </message>
    <message>
        <source>key</source>
        <translation>anahtar</translation>
    </message>
    <message>
        <source>* required</source>
        <translation>* zorunlu</translation>
    </message>
    <message>
        <source>Schedules changed from the default (%1; `n11-desktop schedule list` shows all):</source>
        <translation>Varsayılandan farklı zamanlamalar (%1; hepsini `n11-desktop schedule list` gösterir):</translation>
    </message>
    <message>
        <source>%1 (%2): %3 (default: %4)</source>
        <translation>%1 (%2): %3 (varsayılan: %4)</translation>
    </message>
    <message>
        <source>Schedules: every flow on its default (`n11-desktop schedule list`)</source>
        <translation>Zamanlamalar: her akış varsayılanında (`n11-desktop schedule list`)</translation>
    </message>
    <message>
        <source>Not ready to activate (%1 problems):</source>
        <translation>Etkinleştirmeye hazır değil (%1 sorun):</translation>
    </message>
    <message>
        <source>cannot read %1: not UTF-8 text (byte %2)</source>
        <translation>%1 okunamadı: UTF-8 metin değil (bayt %2)</translation>
    </message>
    <message>
        <source>%1 was not imported, nothing changed</source>
        <translation>%1 içe aktarılmadı, hiçbir şey değişmedi</translation>
    </message>
    <message>
        <source>imported %1</source>
        <translation>%1 içe aktarıldı</translation>
    </message>
    <message>
        <source>exported to %1 (including the App Secret)</source>
        <translation>%1 dosyasına aktarıldı (App Secret dahil)</translation>
    </message>
    <message>
        <source>exported to %1</source>
        <translation>%1 dosyasına aktarıldı</translation>
    </message>
    <message>
        <source>the channel was not activated</source>
        <translation>kanal etkinleştirilmedi</translation>
    </message>
    <message>
        <source>channel activated</source>
        <translation>kanal etkinleştirildi</translation>
    </message>
    <message>
        <source>channel deactivated</source>
        <translation>kanal devre dışı bırakıldı</translation>
    </message>
    <message>
        <source>list, add, rename or remove stores (one database per N11 store)</source>
        <translation>mağazaları listeler, ekler, yeniden adlandırır veya kaldırır (her N11 mağazası için bir veritabanı)</translation>
    </message>
    <message>
        <source>every store with its database and who drives it now</source>
        <translation>her mağaza, veritabanı ve şu anda onu kimin çalıştırdığıyla</translation>
    </message>
    <message>
        <source>add a store and create its database</source>
        <translation>bir mağaza ekler ve veritabanını oluşturur</translation>
    </message>
    <message>
        <source>store name: letters, digits, - _ . (e.g. shop-a)</source>
        <translation>mağaza adı: harfler, rakamlar, - _ . (ör. magaza-a)</translation>
    </message>
    <message>
        <source>its database: an SQLite file or a URL such as postgresql+psycopg://user@host/n11?options=-csearch_path%%3Dshop_a (default: stores/NAME.db next to the registry)</source>
        <translation>veritabanı: bir SQLite dosyası ya da postgresql+psycopg://kullanıcı@sunucu/n11?options=-csearch_path%%3Dmagaza_a gibi bir adres (varsayılan: listenin yanında stores/AD.db)</translation>
    </message>
    <message>
        <source>a demo store: the demo catalog and mapping against the built-in sandbox</source>
        <translation>bir demo mağaza: yerleşik test ortamına karşı demo katalog ve eşleştirme</translation>
    </message>
    <message>
        <source>copy settings and mapping from this store</source>
        <translation>ayarları ve eşleştirmeyi bu mağazadan kopyalar</translation>
    </message>
    <message>
        <source>with --copy-from: settings, mapping or both (default settings,mapping)</source>
        <translation>--copy-from ile: settings, mapping ya da ikisi (varsayılan settings,mapping)</translation>
    </message>
    <message>
        <source>a catalog file this store shares with others (`catalog import` without FILE reads it)</source>
        <translation>bu mağazanın diğerleriyle paylaştığı bir katalog dosyası (DOSYA verilmeyen `catalog import` onu okur)</translation>
    </message>
    <message>
        <source>rename a store (its data stays where it is)</source>
        <translation>bir mağazayı yeniden adlandırır (verileri yerinde kalır)</translation>
    </message>
    <message>
        <source>forget a store; its data is kept unless --delete-data</source>
        <translation>bir mağazayı unutur; --delete-data verilmedikçe verileri korunur</translation>
    </message>
    <message>
        <source>also delete its SQLite database file (refused while a process drives it; never drops a PostgreSQL database)</source>
        <translation>SQLite veritabanı dosyasını da siler (bir süreç onu çalıştırırken reddedilir; bir PostgreSQL veritabanını asla silmez)</translation>
    </message>
    <message>
        <source>make a store the default (what runs without --store)</source>
        <translation>bir mağazayı varsayılan yapar (--store olmadan çalışan)</translation>
    </message>
    <message>
        <source>copy settings and/or mapping from one store to another</source>
        <translation>ayarları ve/veya eşleştirmeyi bir mağazadan diğerine kopyalar</translation>
    </message>
    <message>
        <source>settings, mapping or both (default settings,mapping)</source>
        <translation>settings, mapping ya da ikisi (varsayılan settings,mapping)</translation>
    </message>
    <message>
        <source>share a catalog source file: `catalog import` without FILE reads it</source>
        <translation>bir katalog kaynak dosyasını paylaşır: DOSYA verilmeyen `catalog import` onu okur</translation>
    </message>
    <message>
        <source>the catalog file (CSV or XLSX); leave out with --unlink</source>
        <translation>katalog dosyası (CSV veya XLSX); --unlink ile vermeyin</translation>
    </message>
    <message>
        <source>forget the linked file</source>
        <translation>bağlı dosyayı unutur</translation>
    </message>
    <message>
        <source>--copy/--what: %1 is not one of %2</source>
        <translation>--copy/--what: %1, şunlardan biri değil: %2</translation>
    </message>
    <message>
        <source>nothing</source>
        <translation>hiçbir şey</translation>
    </message>
    <message>
        <source>%1 pid %2 on %3</source>
        <translation>%1, pid %2, %3 üzerinde</translation>
    </message>
    <message>
        <source>no stores yet; `stores add NAME` adds one</source>
        <translation>henüz mağaza yok; `stores add AD` bir mağaza ekler</translation>
    </message>
    <message>
        <source> (demo)</source>
        <translation> (demo)</translation>
    </message>
    <message>
        <source>store</source>
        <translation>mağaza</translation>
    </message>
    <message>
        <source>database</source>
        <translation>veritabanı</translation>
    </message>
    <message>
        <source>driven by</source>
        <translation>çalıştıran</translation>
    </message>
    <message>
        <source>no registry yet (%1); `stores add NAME` creates it</source>
        <translation>henüz mağaza listesi yok (%1); `stores add AD` oluşturur</translation>
    </message>
    <message>
        <source>catalog source %1 is not a file</source>
        <translation>katalog kaynağı %1 bir dosya değil</translation>
    </message>
    <message>
        <source>store %1 added: %2 (default)</source>
        <translation>mağaza %1 eklendi: %2 (varsayılan)</translation>
    </message>
    <message>
        <source>store %1 added: %2</source>
        <translation>mağaza %1 eklendi: %2</translation>
    </message>
    <message>
        <source>%1: %2 from %3</source>
        <translation>%1: %3 mağazasından %2</translation>
    </message>
    <message>
        <source>store %1 is now %2 (%3)</source>
        <translation>mağaza %1 artık %2 (%3)</translation>
    </message>
    <message>
        <source>store %1 removed and its database %2 deleted</source>
        <translation>mağaza %1 kaldırıldı ve veritabanı %2 silindi</translation>
    </message>
    <message>
        <source>store %1 removed from the list; its data is kept at %2 (`stores add %1 --db …` brings it back)</source>
        <translation>mağaza %1 listeden kaldırıldı; verileri %2 konumunda duruyor (`stores add %1 --db …` geri getirir)</translation>
    </message>
    <message>
        <source>default store: %1</source>
        <translation>varsayılan mağaza: %1</translation>
    </message>
    <message>
        <source>source and target are the same store</source>
        <translation>kaynak ve hedef aynı mağaza</translation>
    </message>
    <message>
        <source>give either FILE or --unlink</source>
        <translation>ya DOSYA ya da --unlink verin</translation>
    </message>
    <message>
        <source>%1 is not a file</source>
        <translation>%1 bir dosya değil</translation>
    </message>
    <message>
        <source>store %1: catalog source %2</source>
        <translation>mağaza %1: katalog kaynağı %2</translation>
    </message>
    <message>
        <source>store %1: no linked catalog source</source>
        <translation>mağaza %1: bağlı katalog kaynağı yok</translation>
    </message>
    <message>
        <source>could not write %1</source>
        <translation>%1 yazılamadı</translation>
    </message>
    <message>
        <source>wrote %1 screenshots to %2</source>
        <translation>%1 ekran görüntüsü %2 klasörüne yazıldı</translation>
    </message>
</context>
<context>
    <name>core</name>
    <message>
        <source>Flow failed N times in a row</source>
        <translation>Akış art arda N kez başarısız oldu</translation>
    </message>
    <message>
        <source>Failures in a row</source>
        <translation>Art arda başarısızlık</translation>
    </message>
    <message>
        <source>Error rate above X% over a window</source>
        <translation>Bir zaman aralığında hata oranı %X üzerinde</translation>
    </message>
    <message>
        <source>Error rate %</source>
        <translation>Hata oranı %</translation>
    </message>
    <message>
        <source>Window (minutes)</source>
        <translation>Aralık (dakika)</translation>
    </message>
    <message>
        <source>At least runs</source>
        <translation>En az çalışma</translation>
    </message>
    <message>
        <source>No successful run for Y minutes</source>
        <translation>Y dakikadır başarılı çalışma yok</translation>
    </message>
    <message>
        <source>Minutes</source>
        <translation>Dakika</translation>
    </message>
    <message>
        <source>Penalty box above N</source>
        <translation>Ceza Kutusu N üzerinde</translation>
    </message>
    <message>
        <source>Penalized records</source>
        <translation>Cezalı kayıtlar</translation>
    </message>
    <message>
        <source>Send queue above N</source>
        <translation>Gönderim kuyruğu N üzerinde</translation>
    </message>
    <message>
        <source>Waiting products</source>
        <translation>Bekleyen ürünler</translation>
    </message>
    <message>
        <source>Stock difference above N SKUs</source>
        <translation>N&apos;den fazla SKU&apos;da stok farkı</translation>
    </message>
    <message>
        <source>SKUs</source>
        <translation>SKU sayısı</translation>
    </message>
    <message>
        <source>Price difference above N SKUs</source>
        <translation>N&apos;den fazla SKU&apos;da fiyat farkı</translation>
    </message>
    <message>
        <source>Cancellations waiting for the ERP</source>
        <translation>ERP&apos;yi bekleyen iptaller</translation>
    </message>
    <message>
        <source>Waiting cancellations</source>
        <translation>Bekleyen iptaller</translation>
    </message>
    <message>
        <source>Waiting longer than (hours)</source>
        <translation>Şundan uzun bekleyen (saat)</translation>
    </message>
    <message>
        <source>Category Node</source>
        <translation>Kategori Ağacı</translation>
    </message>
    <message>
        <source>Category Attribute and Values</source>
        <translation>Kategori Özellikleri ve Değerleri</translation>
    </message>
    <message>
        <source>Create Default Attributes</source>
        <translation>Varsayılan Özellikleri Oluştur</translation>
    </message>
    <message>
        <source>Compare Attributes</source>
        <translation>Özellikleri Karşılaştır</translation>
    </message>
    <message>
        <source>Product Create</source>
        <translation>Ürün Oluşturma</translation>
    </message>
    <message>
        <source>Product Update</source>
        <translation>Ürün Güncelleme</translation>
    </message>
    <message>
        <source>Product Delete</source>
        <translation>Ürün Silme</translation>
    </message>
    <message>
        <source>Send Delete Product Seller Code</source>
        <translation>Satıcı Ürün Kodu Silme Gönderimi</translation>
    </message>
    <message>
        <source>Stock</source>
        <translation>Stok</translation>
    </message>
    <message>
        <source>Price</source>
        <translation>Fiyat</translation>
    </message>
    <message>
        <source>Task Results</source>
        <translation>Görev Sonuçları</translation>
    </message>
    <message>
        <source>Order Create</source>
        <translation>Sipariş Oluşturma</translation>
    </message>
    <message>
        <source>Order Update</source>
        <translation>Sipariş Güncelleme</translation>
    </message>
    <message>
        <source>Send Invoice Link</source>
        <translation>Fatura Bağlantısı Gönder</translation>
    </message>
    <message>
        <source>Get Updated Orders</source>
        <translation>Güncellenen Siparişleri Al</translation>
    </message>
    <message>
        <source>Cancellation Requests</source>
        <translation>İptal Talepleri</translation>
    </message>
    <message>
        <source>Cancel/Refund Orders</source>
        <translation>İptal/İade Siparişleri</translation>
    </message>
    <message>
        <source>Send Cancel Order Items</source>
        <translation>Sipariş Kalemi İptallerini Gönder</translation>
    </message>
    <message>
        <source>Split Packages</source>
        <translation>Paket Bölme</translation>
    </message>
    <message>
        <source>Handle Package Combinations</source>
        <translation>Paket Birleştirmeleri</translation>
    </message>
    <message>
        <source>Reference Data</source>
        <translation>Referans Verileri</translation>
    </message>
    <message>
        <source>N11 State Sync</source>
        <translation>N11 Durum Eşitleme</translation>
    </message>
    <message>
        <source>Fix Differences</source>
        <translation>Farkları Düzelt</translation>
    </message>
    <message>
        <source>Waiting for approval</source>
        <translation>Onay bekliyor</translation>
    </message>
    <message>
        <source>Approved</source>
        <translation>Onaylandı</translation>
    </message>
    <message>
        <source>Shipped</source>
        <translation>Kargoya verildi</translation>
    </message>
    <message>
        <source>Delivered</source>
        <translation>Teslim edildi</translation>
    </message>
    <message>
        <source>Completed</source>
        <translation>Tamamlandı</translation>
    </message>
    <message>
        <source>Cancelled</source>
        <translation>İptal edildi</translation>
    </message>
    <message>
        <source>Refunded</source>
        <translation>İade edildi</translation>
    </message>
    <message>
        <source>Split (replaced)</source>
        <translation>Bölündü (yerine yenisi geldi)</translation>
    </message>
    <message>
        <source>Partly cancelled</source>
        <translation>Kısmen iptal</translation>
    </message>
    <message>
        <source>Total SKU in catalog</source>
        <translation>Katalogdaki toplam SKU</translation>
    </message>
    <message>
        <source>Simple, active products in the N11 catalog.</source>
        <translation>N11 kataloğundaki basit, etkin ürünler.</translation>
    </message>
    <message>
        <source>SKUs on sale</source>
        <translation>Satıştaki SKU&apos;lar</translation>
    </message>
    <message>
        <source>Sent to N11 and currently on sale there.</source>
        <translation>N11&apos;e gönderilmiş ve şu an orada satışta.</translation>
    </message>
    <message>
        <source>Total SKU difference</source>
        <translation>Toplam SKU farkı</translation>
    </message>
    <message>
        <source>In the catalog with price, stock &gt; 0, category and image, but not on sale on N11.</source>
        <translation>Katalogda fiyatı, stoğu &gt; 0, kategorisi ve görseli var, ama N11&apos;de satışta değil.</translation>
    </message>
    <message>
        <source>SKUs with price difference</source>
        <translation>Fiyat farkı olan SKU&apos;lar</translation>
    </message>
    <message>
        <source>On sale with a different sale or list price on N11.</source>
        <translation>N11&apos;de farklı bir satış veya liste fiyatıyla satışta.</translation>
    </message>
    <message>
        <source>Total stock in catalog</source>
        <translation>Katalogdaki toplam stok</translation>
    </message>
    <message>
        <source>Stock of all products in the N11 catalog.</source>
        <translation>N11 kataloğundaki tüm ürünlerin stoğu.</translation>
    </message>
    <message>
        <source>Total stock on sale</source>
        <translation>Satıştaki toplam stok</translation>
    </message>
    <message>
        <source>Stock N11 shows for the products on sale.</source>
        <translation>N11&apos;in satıştaki ürünler için gösterdiği stok.</translation>
    </message>
    <message>
        <source>Total stock difference</source>
        <translation>Toplam stok farkı</translation>
    </message>
    <message>
        <source>Stock of catalog products that are not on sale on N11.</source>
        <translation>N11&apos;de satışta olmayan katalog ürünlerinin stoğu.</translation>
    </message>
    <message>
        <source>SKUs with stock difference</source>
        <translation>Stok farkı olan SKU&apos;lar</translation>
    </message>
    <message>
        <source>On sale with a different quantity on N11 than stock − Buffer Stock.</source>
        <translation>N11&apos;de stok − Tampon Stok&apos;tan farklı bir miktarla satışta.</translation>
    </message>
    <message>
        <source>App Key</source>
        <translation>App Key (API anahtarı)</translation>
    </message>
    <message>
        <source>App Secret</source>
        <translation>App Secret (API şifresi)</translation>
    </message>
    <message>
        <source>Base Url</source>
        <translation>Temel URL</translation>
    </message>
    <message>
        <source>Sales Url</source>
        <translation>Satış URL&apos;si</translation>
    </message>
    <message>
        <source>ERP Code</source>
        <translation>ERP Kodu</translation>
    </message>
    <message>
        <source>Category Ids</source>
        <translation>Kategori ID&apos;leri</translation>
    </message>
    <message>
        <source>Feature Flags</source>
        <translation>Özellik Bayrakları</translation>
    </message>
    <message>
        <source>Deny Reason Id</source>
        <translation>Red Nedeni ID</translation>
    </message>
    <message>
        <source>Cancellation Reason Id</source>
        <translation>İptal Nedeni ID</translation>
    </message>
    <message>
        <source>Unsupplied Reason Id</source>
        <translation>Tedarik Edilemedi Nedeni ID</translation>
    </message>
    <message>
        <source>Unpacked Reason Id</source>
        <translation>Paketlenmedi Nedeni ID</translation>
    </message>
    <message>
        <source>Refund Reason Id</source>
        <translation>İade Nedeni ID</translation>
    </message>
    <message>
        <source>Cancellation Map</source>
        <translation>İptal Eşleştirmesi</translation>
    </message>
    <message>
        <source>Cargo Company Id</source>
        <translation>Kargo Firması ID</translation>
    </message>
    <message>
        <source>Use Neighborhood</source>
        <translation>Mahalle Kullan</translation>
    </message>
    <message>
        <source>Failed Integration</source>
        <translation>Başarısız Entegrasyon</translation>
    </message>
    <message>
        <source>Send Shipping Info</source>
        <translation>Kargo Bilgisi Gönder</translation>
    </message>
    <message>
        <source>Cancellation Reason Type Id</source>
        <translation>İptal Nedeni Türü ID</translation>
    </message>
    <message>
        <source>Attribute Set Strategy</source>
        <translation>Özellik Seti Stratejisi</translation>
    </message>
    <message>
        <source>Exclude Cargo Company Ids</source>
        <translation>Hariç Tutulan Kargo Firması ID&apos;leri</translation>
    </message>
    <message>
        <source>Order Start Date</source>
        <translation>Sipariş Başlangıç Tarihi</translation>
    </message>
    <message>
        <source>Get Discount Amount</source>
        <translation>İndirim Tutarını Al</translation>
    </message>
    <message>
        <source>Order Number Format</source>
        <translation>Sipariş Numarası Biçimi</translation>
    </message>
    <message>
        <source>Use Channel ID In Address Mapping</source>
        <translation>Adres Eşleştirmede Kanal ID Kullan</translation>
    </message>
    <message>
        <source>Buffer Stock</source>
        <translation>Tampon Stok</translation>
    </message>
    <message>
        <source>OMS Enabled</source>
        <translation>OMS Etkin</translation>
    </message>
    <message>
        <source>OMS Web Hook Token</source>
        <translation>OMS Web Kancası Anahtarı</translation>
    </message>
    <message>
        <source>OMS Web Hook Port</source>
        <translation>OMS Web Kancası Portu</translation>
    </message>
    <message>
        <source>Queue Page Size</source>
        <translation>Kuyruk Sayfa Boyutu</translation>
    </message>
    <message>
        <source>Queue Max Tasks</source>
        <translation>Kuyruk En Fazla Görev</translation>
    </message>
    <message>
        <source>Guard: Price Drop %</source>
        <translation>Koruma: Fiyat Düşüşü %</translation>
    </message>
    <message>
        <source>Guard: Stock Jump</source>
        <translation>Koruma: Stok Sıçraması</translation>
    </message>
    <message>
        <source>Sending (n11-desktop)</source>
        <translation>Gönderim (n11-desktop)</translation>
    </message>
    <message>
        <source>Obtained from N11.</source>
        <translation>N11&apos;den alınır.</translation>
    </message>
    <message>
        <source>Obtained from N11. Kept in the system keyring when available.</source>
        <translation>N11&apos;den alınır. Varsa sistem anahtarlığında saklanır.</translation>
    </message>
    <message>
        <source>API URL for N11.</source>
        <translation>N11 API adresi.</translation>
    </message>
    <message>
        <source>N11 site URL.</source>
        <translation>N11 site adresi.</translation>
    </message>
    <message>
        <source>Sales channel code for N11 in the ERP (e.g. 4000).</source>
        <translation>ERP&apos;de N11 satış kanalı kodu (ör. 4000).</translation>
    </message>
    <message>
        <source>Main N11 category ids used by this channel.</source>
        <translation>Bu kanalın kullandığı ana N11 kategori ID&apos;leri.</translation>
    </message>
    <message>
        <source>Used when a cancellation request is denied (order has an invoice).</source>
        <translation>Bir iptal talebi reddedildiğinde kullanılır (siparişin faturası var).</translation>
    </message>
    <message>
        <source>Local cancel reason written for orders cancelled on N11.</source>
        <translation>N11&apos;de iptal edilen siparişler için yazılan yerel iptal nedeni.</translation>
    </message>
    <message>
        <source>Local cancel reason for &quot;Unsupplied&quot; packages.</source>
        <translation>&quot;Tedarik edilemedi&quot; paketleri için yerel iptal nedeni.</translation>
    </message>
    <message>
        <source>Local cancel reason for &quot;Unpacked&quot; packages.</source>
        <translation>&quot;Paketlenmedi&quot; paketleri için yerel iptal nedeni.</translation>
    </message>
    <message>
        <source>Local refund reason for invoiced cancelled lines.</source>
        <translation>Faturalı iptal edilen kalemler için yerel iade nedeni.</translation>
    </message>
    <message>
        <source>N11 reason, as N11 sends it (an id such as 501 or a code such as VAZGECTIM) → local reason id; empty = Cancellation Reason Id for all.</source>
        <translation>N11&apos;in gönderdiği haliyle N11 nedeni (501 gibi bir numara veya VAZGECTIM gibi bir kod) → yerel neden ID&apos;si; boş = hepsi için İptal Nedeni ID.</translation>
    </message>
    <message>
        <source>Local cargo company for incoming orders; empty = the cargo company mapping.</source>
        <translation>Gelen siparişler için yerel kargo firması; boş = kargo firması eşleştirmesi.</translation>
    </message>
    <message>
        <source>Use the neighborhood of shipping and billing addresses.</source>
        <translation>Teslimat ve fatura adreslerinin mahallesini kullan.</translation>
    </message>
    <message>
        <source>On: the brand manages shipping (tracking numbers are sent). Off: N11 does.</source>
        <translation>Açık: kargoyu marka yönetir (takip numaraları gönderilir). Kapalı: N11 yönetir.</translation>
    </message>
    <message>
        <source>Sent with partial cancellations (needed by send_cancel_order_items).</source>
        <translation>Kısmi iptallerle gönderilir (send_cancel_order_items için gerekli).</translation>
    </message>
    <message>
        <source>Should not be changed.</source>
        <translation>Değiştirilmemeli.</translation>
    </message>
    <message>
        <source>N11 cargo companies to ignore; their orders use Cargo Company Id.</source>
        <translation>Yok sayılacak N11 kargo firmaları; siparişleri Kargo Firması ID&apos;sini kullanır.</translation>
    </message>
    <message>
        <source>Start date of the order integration (dd/MM/yyyy).</source>
        <translation>Sipariş entegrasyonunun başlangıç tarihi (gg/AA/yyyy).</translation>
    </message>
    <message>
        <source>Use the discount information of orders.</source>
        <translation>Siparişlerin indirim bilgisini kullan.</translation>
    </message>
    <message>
        <source>Placeholders {orderNumber} and {id}; empty = {orderNumber}-{id}.</source>
        <translation>{orderNumber} ve {id} yer tutucuları; boş = {orderNumber}-{id}.</translation>
    </message>
    <message>
        <source>Prefix address mapping with the channel id.</source>
        <translation>Adres eşleştirmesinin başına kanal ID&apos;sini ekle.</translation>
    </message>
    <message>
        <source>Deducted from stock sent to N11; empty = none.</source>
        <translation>N11&apos;e gönderilen stoktan düşülür; boş = yok.</translation>
    </message>
    <message>
        <source>Write the OMS package tracking number from N11&apos;s campaignNumber.</source>
        <translation>OMS paket takip numarasını N11&apos;in campaignNumber alanından yaz.</translation>
    </message>
    <message>
        <source>split_packages: the token the OMS sends (Authorization: Token …) to the split-package web hook. Generate one and give it to the OMS.</source>
        <translation>split_packages: OMS&apos;nin paket bölme web kancasına gönderdiği anahtar (Authorization: Token …). Bir tane üretip OMS&apos;ye verin.</translation>
    </message>
    <message>
        <source>split_packages: the loopback port the web hook listens on (default 8765).</source>
        <translation>split_packages: web kancasının dinlediği yerel port (varsayılan 8765).</translation>
    </message>
    <message>
        <source>SKUs per N11 task (1–1000; N11 accepts at most 1000). Default 1000.</source>
        <translation>N11 görevi başına SKU (1–1000; N11 en fazla 1000 kabul eder). Varsayılan 1000.</translation>
    </message>
    <message>
        <source>At most this many tasks (pages) per product run (1–1000). Default 100.</source>
        <translation>Ürün çalışması başına en fazla bu kadar görev (sayfa) (1–1000). Varsayılan 100.</translation>
    </message>
    <message>
        <source>Send preview warns when a price drops by more than this percent (1–100). Default 50.</source>
        <translation>Bir fiyat bu yüzdeden fazla düştüğünde gönderim önizlemesi uyarır (1–100). Varsayılan 50.</translation>
    </message>
    <message>
        <source>Send preview warns when stock rises by more than this many units over what N11 last got (1 or more). Default 1000.</source>
        <translation>Stok, N11&apos;in son aldığından bu kadar birimden fazla arttığında gönderim önizlemesi uyarır (1 veya daha fazla). Varsayılan 1000.</translation>
    </message>
    <message>
        <source>Pulls orders with &quot;New&quot; and &quot;LATE_SHIPMENT&quot; statuses from N11; lines are created &quot;waiting for approval&quot; and become &quot;approved&quot; once approved on N11.</source>
        <translation>N11&apos;den &quot;New&quot; ve &quot;LATE_SHIPMENT&quot; durumundaki siparişleri çeker; kalemler &quot;onay bekliyor&quot; olarak oluşturulur ve N11&apos;de onaylanınca &quot;onaylandı&quot; olur.</translation>
    </message>
    <message>
        <source>Sends updated orders to N11 with item-specific shipping company and tracking number; updates invoice and order status. The tracking number is only sent if Send Shipping Info is active.</source>
        <translation>Güncellenen siparişleri kaleme özel kargo firması ve takip numarasıyla N11&apos;e gönderir; fatura ve sipariş durumunu günceller. Takip numarası yalnızca Kargo Bilgisi Gönder etkinse gönderilir.</translation>
    </message>
    <message>
        <source>Splits N11 orders into multiple packages on a request sent by the OMS web hook.</source>
        <translation>OMS web kancasından gelen bir istekle N11 siparişlerini birden çok pakete böler.</translation>
    </message>
    <message>
        <source>Sets the stock of products removed from the catalog to 0 on N11.</source>
        <translation>Katalogdan çıkarılan ürünlerin N11&apos;deki stoğunu 0 yapar.</translation>
    </message>
    <message>
        <source>Sends products added to the catalog to N11 (create / update).</source>
        <translation>Kataloğa eklenen ürünleri N11&apos;e gönderir (oluşturma / güncelleme).</translation>
    </message>
    <message>
        <source>Goes back 15 days to fetch &quot;Completed&quot; and &quot;Shipped&quot; orders from N11 and updates status and tracking number per item.</source>
        <translation>&quot;Completed&quot; ve &quot;Shipped&quot; siparişleri almak için 15 gün geriye gider; kalem başına durumu ve takip numarasını günceller.</translation>
    </message>
    <message>
        <source>&quot;REQUESTED&quot; cancellation requests of the last 24 hours: denied with Deny Reason Id if the order has an invoice, otherwise approved on N11.</source>
        <translation>Son 24 saatin &quot;REQUESTED&quot; iptal talepleri: siparişin faturası varsa Red Nedeni ID ile reddedilir, yoksa N11&apos;de onaylanır.</translation>
    </message>
    <message>
        <source>&quot;COMPLETED&quot; cancellation requests of the last 24 hours: a refund if the line has an invoice, else a cancellation (at most 6 cancellation plan attempts).</source>
        <translation>Son 24 saatin &quot;COMPLETED&quot; iptal talepleri: kalemin faturası varsa iade, yoksa iptal (en fazla 6 iptal planı denemesi).</translation>
    </message>
    <message>
        <source>Sends updated product prices to N11.</source>
        <translation>Güncellenen ürün fiyatlarını N11&apos;e gönderir.</translation>
    </message>
    <message>
        <source>Sends updated product stock levels to N11 (stock minus Buffer Stock).</source>
        <translation>Güncellenen ürün stoklarını N11&apos;e gönderir (stok eksi Tampon Stok).</translation>
    </message>
    <message>
        <source>Reports package changes after an OMS split to N11 as &quot;combine/separate&quot;.</source>
        <translation>OMS bölmesinden sonraki paket değişikliklerini N11&apos;e &quot;birleştir/ayır&quot; olarak bildirir.</translation>
    </message>
    <message>
        <source>Sends partial cancellations made locally to N11 as partial cancellations.</source>
        <translation>Yerelde yapılan kısmi iptalleri N11&apos;e kısmi iptal olarak gönderir.</translation>
    </message>
    <message>
        <source>Sends the invoice link of invoiced orders to N11.</source>
        <translation>Faturalı siparişlerin fatura bağlantısını N11&apos;e gönderir.</translation>
    </message>
    <message>
        <source>Fixes &quot;listed with XXXX seller code&quot; errors: deletes the product on N11 under the old seller code and creates it anew.</source>
        <translation>&quot;XXXX satıcı koduyla listelenmiş&quot; hatalarını düzeltir: ürünü N11&apos;de eski satıcı koduyla siler ve yeniden oluşturur.</translation>
    </message>
    <message>
        <source>Every 5 minutes for &quot;New&quot;, every 8 hours for &quot;LATE_SHIPMENT&quot;.</source>
        <translation>&quot;New&quot; için her 5 dakikada, &quot;LATE_SHIPMENT&quot; için her 8 saatte bir.</translation>
    </message>
    <message>
        <source>Every 5 minutes.</source>
        <translation>Her 5 dakikada bir.</translation>
    </message>
    <message>
        <source>On the OMS web hook (outbound trigger).</source>
        <translation>OMS web kancasıyla (dış tetikleyici).</translation>
    </message>
    <message>
        <source>Every morning at 06:00.</source>
        <translation>Her sabah 06:00&apos;da.</translation>
    </message>
    <message>
        <source>Every minute.</source>
        <translation>Her dakika.</translation>
    </message>
    <message>
        <source>off</source>
        <extracomment>words the scheduler and the flow runs report (states), shown translated</extracomment>
        <translation>kapalı</translation>
    </message>
    <message>
        <source>running</source>
        <translation>çalışıyor</translation>
    </message>
    <message>
        <source>paused</source>
        <translation>duraklatıldı</translation>
    </message>
    <message>
        <source>inactive channel</source>
        <translation>kanal etkin değil</translation>
    </message>
    <message>
        <source>stopped</source>
        <translation>durduruldu</translation>
    </message>
    <message>
        <source>done</source>
        <translation>tamamlandı</translation>
    </message>
    <message>
        <source>failed</source>
        <translation>başarısız</translation>
    </message>
    <message>
        <source>cancelled</source>
        <translation>iptal edildi</translation>
    </message>
    <message>
        <source>partial</source>
        <translation>kısmen</translation>
    </message>
    <message>
        <source>queued</source>
        <translation>kuyrukta</translation>
    </message>
    <message>
        <source>off — another n11-desktop (%1) drives this database</source>
        <translation>kapalı — bu veritabanını başka bir n11-desktop (%1) yönetiyor</translation>
    </message>
    <message>
        <source>Stock data not found</source>
        <extracomment>the seed §8 penalty messages and their fixes, as core/penalty.py writes them (the test keeps these in step)</extracomment>
        <translation>Stok verisi bulunamadı</translation>
    </message>
    <message>
        <source>Price data not found</source>
        <translation>Fiyat verisi bulunamadı</translation>
    </message>
    <message>
        <source>Product not found</source>
        <translation>Ürün bulunamadı</translation>
    </message>
    <message>
        <source>The product is listed in the category {name} on N11 with category ID {id}. You can enter this ID to resend the product.</source>
        <translation>Ürün N11&apos;de {name} kategorisinde, kategori ID&apos;si {id} ile listeleniyor. Ürünü yeniden göndermek için bu ID&apos;yi girebilirsiniz.</translation>
    </message>
    <message>
        <source>This product is already pending approval. It will be published once approved.</source>
        <translation>Bu ürün zaten onay bekliyor. Onaylandığında yayınlanacak.</translation>
    </message>
    <message>
        <source>The product you entered is listed with {code} seller code on your side. You can update your product through this product.</source>
        <translation>Girdiğiniz ürün sizin tarafınızda {code} satıcı koduyla listeleniyor. Ürününüzü bu ürün üzerinden güncelleyebilirsiniz.</translation>
    </message>
    <message>
        <source>The relevant record is not in queue. The item may have been penalized or check product is saleable</source>
        <translation>İlgili kayıt kuyrukta değil. Ürün cezalandırılmış olabilir ya da ürünün satılabilir olduğunu kontrol edin</translation>
    </message>
    <message>
        <source>Failed to suggest product to the catalog</source>
        <translation>Ürün kataloğa önerilemedi</translation>
    </message>
    <message>
        <source>If it is about attribute values: run Category Attribute and Values (N11&apos;s latest values), then Compare Attributes, and send the product again.</source>
        <translation>Özellik değerleriyle ilgiliyse: Kategori Özellikleri ve Değerleri&apos;ni (N11&apos;in güncel değerleri), ardından Özellikleri Karşılaştır&apos;ı çalıştırın ve ürünü yeniden gönderin.</translation>
    </message>
    <message>
        <source>No result from N11 within {hours:g} hours (sent_to_remote EXPIRATION_HOUR); the record will be retried per the Failed Integration settings.</source>
        <translation>N11&apos;den {hours:g} saat içinde sonuç gelmedi (sent_to_remote EXPIRATION_HOUR); kayıt Başarısız Entegrasyon ayarlarına göre yeniden denenecek.</translation>
    </message>
    <message>
        <source>N11 rejected the record: </source>
        <translation>N11 kaydı reddetti: </translation>
    </message>
    <message>
        <source>N11 reported a failure without a reason</source>
        <translation>N11 neden belirtmeden bir hata bildirdi</translation>
    </message>
    <message>
        <source>A flow keeps failing</source>
        <extracomment>sentences the core builds (validation and import errors, summaries, alarm messages), as templates with the core&apos;s {fields}; ``core_message`` finds them inside a message and translates them, values kept</extracomment>
        <translation>Bir akış sürekli başarısız oluyor</translation>
    </message>
    <message>
        <source>Stock not sent for 30 minutes</source>
        <translation>30 dakikadır stok gönderilmedi</translation>
    </message>
    <message>
        <source>Penalty box is filling up</source>
        <translation>Ceza Kutusu doluyor</translation>
    </message>
    <message>
        <source>N11 data is getting old</source>
        <translation>N11 verileri eskiyor</translation>
    </message>
    <message>
        <source>Cancellations wait for the ERP</source>
        <translation>İptaller ERP&apos;yi bekliyor</translation>
    </message>
    <message>
        <source>any flow</source>
        <translation>herhangi bir akış</translation>
    </message>
    <message>
        <source>{flow} failed {count} times in a row</source>
        <translation>{flow} art arda {count} kez başarısız oldu</translation>
    </message>
    <message>
        <source>{flow} error rate ≥ {percent}% over {window} min</source>
        <translation>{flow} hata oranı {window} dakikada ≥ %{percent}</translation>
    </message>
    <message>
        <source>no successful {flow} run for {minutes} min</source>
        <translation>{minutes} dakikadır başarılı {flow} çalışması yok</translation>
    </message>
    <message>
        <source>penalty box above {count} records</source>
        <translation>Ceza Kutusunda {count} kayıttan fazla</translation>
    </message>
    <message>
        <source>more than {count} products waiting to be sent</source>
        <translation>gönderilmeyi bekleyen {count} üründen fazla</translation>
    </message>
    <message>
        <source>more than {count} SKUs with a stock difference on N11</source>
        <translation>N11&apos;de stok farkı olan {count} SKU&apos;dan fazla</translation>
    </message>
    <message>
        <source>more than {count} SKUs with a price difference on N11</source>
        <translation>N11&apos;de fiyat farkı olan {count} SKU&apos;dan fazla</translation>
    </message>
    <message>
        <source>more than {count} cancellation(s) waiting for the ERP longer than {hours} h</source>
        <translation>ERP&apos;yi {hours} saatten uzun bekleyen {count} iptalden fazla</translation>
    </message>
    <message>
        <source>{flow}: {n1} of {n2} runs failed ({rate}%) in the last {window} min</source>
        <translation>{flow}: son {window} dakikada {n2} çalışmadan {n1} tanesi başarısız (%{rate})</translation>
    </message>
    <message>
        <source>no successful {flow} run since {when} (limit {minutes} min)</source>
        <translation>{when} tarihinden beri başarılı {flow} çalışması yok (sınır {minutes} dk)</translation>
    </message>
    <message>
        <source>no successful {flow} run ever (limit {minutes} min)</source>
        <translation>hiç başarılı {flow} çalışması yok (sınır {minutes} dk)</translation>
    </message>
    <message>
        <source>{count} records in the penalty box (limit {limit})</source>
        <translation>Ceza Kutusunda {count} kayıt (sınır {limit})</translation>
    </message>
    <message>
        <source>{count} cancellation(s) have waited more than {hours} h for their order to be marked ERP-reported (limit {limit}; Orders tab → Cancellation waiting for ERP)</source>
        <translation>{count} iptal, siparişinin ERP&apos;ye bildirildi olarak işaretlenmesi için {hours} saatten uzun bekledi (sınır {limit}; Siparişler sekmesi → ERP&apos;yi bekleyen iptal)</translation>
    </message>
    <message>
        <source>{count} products waiting to be sent (limit {limit})</source>
        <translation>gönderilmeyi bekleyen {count} ürün (sınır {limit})</translation>
    </message>
    <message>
        <source>{count} SKUs with a stock difference on N11 (limit {limit}; {snapshot})</source>
        <translation>N11&apos;de stok farkı olan {count} SKU (sınır {limit}; {snapshot})</translation>
    </message>
    <message>
        <source>{count} SKUs with a price difference on N11 (limit {limit}; {snapshot})</source>
        <translation>N11&apos;de fiyat farkı olan {count} SKU (sınır {limit}; {snapshot})</translation>
    </message>
    <message>
        <source>N11 data never synced</source>
        <translation>N11 verileri hiç eşitlenmedi</translation>
    </message>
    <message>
        <source>N11 data {age} old, older than two sync periods</source>
        <translation>N11 verileri {age} eski, iki eşitleme süresinden eski</translation>
    </message>
    <message>
        <source>N11 data {age} old</source>
        <translation>N11 verileri {age} eski</translation>
    </message>
    <message>
        <source>{name}: cleared</source>
        <translation>{name}: temizlendi</translation>
    </message>
    <message>
        <source>Name: give the alarm a name</source>
        <translation>Ad: alarma bir ad verin</translation>
    </message>
    <message>
        <source>Kind: unknown alarm kind {kind}</source>
        <translation>Tür: bilinmeyen alarm türü {kind}</translation>
    </message>
    <message>
        <source>Flow: unknown flow {what}</source>
        <translation>Akış: bilinmeyen akış {what}</translation>
    </message>
    <message>
        <source>{label}: {value} is not a whole number</source>
        <translation>{label}: {value} bir tam sayı değil</translation>
    </message>
    <message>
        <source>{label}: {value} is out of range</source>
        <translation>{label}: {value} aralığın dışında</translation>
    </message>
    <message>
        <source>alarm {id} does not exist</source>
        <translation>{id} numaralı alarm yok</translation>
    </message>
    <message>
        <source>is required</source>
        <translation>zorunlu</translation>
    </message>
    <message>
        <source>must be a date in dd/MM/yyyy like 30/07/2023, got {value}</source>
        <translation>gg/AA/yyyy biçiminde bir tarih olmalı (ör. 30/07/2023), verilen: {value}</translation>
    </message>
    <message>
        <source>must be an e-mail address like name@example.com, got {value}</source>
        <translation>ad@ornek.com gibi bir e-posta adresi olmalı, verilen: {value}</translation>
    </message>
    <message>
        <source>must not be negative (got {value}); leave it empty for none</source>
        <translation>negatif olamaz (verilen: {value}); yoksa boş bırakın</translation>
    </message>
    <message>
        <source>must be a positive id, got {value}</source>
        <translation>pozitif bir kimlik olmalı, verilen: {value}</translation>
    </message>
    <message>
        <source>must be between {low} and {high}, got {value}</source>
        <translation>{low} ile {high} arasında olmalı, verilen: {value}</translation>
    </message>
    <message>
        <source>must be {low} or more, got {value}</source>
        <translation>{low} veya daha büyük olmalı, verilen: {value}</translation>
    </message>
    <message>
        <source>must be one of {values}, got {value}</source>
        <translation>şunlardan biri olmalı: {values}, verilen: {value}</translation>
    </message>
    <message>
        <source>must be a port between 1024 and 65535, got {value}</source>
        <translation>1024 ile 65535 arasında bir port olmalı, verilen: {value}</translation>
    </message>
    <message>
        <source>must be 16-128 letters, digits, &apos;-&apos; or &apos;_&apos; (use Generate)</source>
        <translation>16-128 harf, rakam, &apos;-&apos; veya &apos;_&apos; olmalı (Oluştur&apos;u kullanın)</translation>
    </message>
    <message>
        <source>there is no local cancellation reason with id {value}</source>
        <translation>{value} kimlikli yerel iptal nedeni yok</translation>
    </message>
    <message>
        <source>there is no local cargo company with id {value} (known: {known})</source>
        <translation>{value} kimlikli yerel kargo firması yok (bilinenler: {known})</translation>
    </message>
    <message>
        <source>must be true or false, not {kind}</source>
        <translation>true veya false olmalı, {kind} değil</translation>
    </message>
    <message>
        <source>must be a whole number, not {kind}</source>
        <translation>tam sayı olmalı, {kind} değil</translation>
    </message>
    <message>
        <source>must be a list, not {kind}</source>
        <translation>liste olmalı, {kind} değil</translation>
    </message>
    <message>
        <source>must be a text, not {kind}</source>
        <translation>metin olmalı, {kind} değil</translation>
    </message>
    <message>
        <source>row {row}, column {column}: {message}</source>
        <translation>satır {row}, sütun {column}: {message}</translation>
    </message>
    <message>
        <source>row {row}: {message}</source>
        <translation>satır {row}: {message}</translation>
    </message>
    <message>
        <source>file, column {column}: {message}</source>
        <translation>dosya, sütun {column}: {message}</translation>
    </message>
    <message>
        <source>sku is required</source>
        <translation>sku zorunlu</translation>
    </message>
    <message>
        <source>the price must be above 0</source>
        <translation>fiyat 0&apos;dan büyük olmalı</translation>
    </message>
    <message>
        <source>list price {list} is below the sale price {price}</source>
        <translation>liste fiyatı {list}, satış fiyatı {price} altında</translation>
    </message>
    <message>
        <source>a list_price needs a price in the same row</source>
        <translation>list_price için aynı satırda bir price gerekir</translation>
    </message>
    <message>
        <source>a title is required for a new product</source>
        <translation>yeni bir ürün için başlık zorunlu</translation>
    </message>
    <message>
        <source>contains a control character (the file is damaged or not text)</source>
        <translation>bir kontrol karakteri içeriyor (dosya bozuk ya da metin değil)</translation>
    </message>
    <message>
        <source>is {n} characters long; at most {limit} allowed</source>
        <translation>{n} karakter uzunluğunda; en fazla {limit} olabilir</translation>
    </message>
    <message>
        <source>is {n} characters; N11 needs at least {limit} to create the product</source>
        <translation>{n} karakter; N11 ürünü oluşturmak için en az {limit} ister</translation>
    </message>
    <message>
        <source>&apos;{sku}&apos; already appears in row {prev}; each sku once per file</source>
        <translation>&apos;{sku}&apos; zaten {prev}. satırda var; her sku dosyada bir kez olmalı</translation>
    </message>
    <message>
        <source>the required column &apos;sku&apos; is missing from the header</source>
        <translation>zorunlu &apos;sku&apos; sütunu başlıkta yok</translation>
    </message>
    <message>
        <source>the column appears twice (columns {a} and {b})</source>
        <translation>sütun iki kez geçiyor ({a}. ve {b}. sütunlar)</translation>
    </message>
    <message>
        <source>attribute column without a name; write it as attr:&lt;Name&gt;</source>
        <translation>adı olmayan özellik sütunu; attr:&lt;Ad&gt; olarak yazın</translation>
    </message>
    <message>
        <source>Dry run: {detail}</source>
        <translation>Deneme: {detail}</translation>
    </message>
    <message>
        <source>{n} rows read</source>
        <translation>{n} satır okundu</translation>
    </message>
    <message>
        <source>{n} row read</source>
        <translation>{n} satır okundu</translation>
    </message>
    <message>
        <source>{n} would be created</source>
        <translation>{n} oluşturulacak</translation>
    </message>
    <message>
        <source>{n} would be updated</source>
        <translation>{n} güncellenecek</translation>
    </message>
    <message>
        <source>{n} created</source>
        <translation>{n} oluşturuldu</translation>
    </message>
    <message>
        <source>{n} updated</source>
        <translation>{n} güncellendi</translation>
    </message>
    <message>
        <source>{n} unchanged</source>
        <translation>{n} değişmedi</translation>
    </message>
    <message>
        <source>{n} bad rows skipped</source>
        <translation>{n} hatalı satır atlandı</translation>
    </message>
    <message>
        <source>{n} bad row skipped</source>
        <translation>{n} hatalı satır atlandı</translation>
    </message>
    <message>
        <source>{n} warnings</source>
        <translation>{n} uyarı</translation>
    </message>
    <message>
        <source>{n} warning</source>
        <translation>{n} uyarı</translation>
    </message>
    <message>
        <source>{n} rows: {n1} added, {n2} updated, {n3} unchanged, {n4} refused</source>
        <translation>{n} satır: {n1} eklendi, {n2} güncellendi, {n3} değişmedi, {n4} reddedildi</translation>
    </message>
    <message>
        <source>local category is empty</source>
        <translation>yerel kategori boş</translation>
    </message>
    <message>
        <source>local attribute name is empty</source>
        <translation>yerel özellik adı boş</translation>
    </message>
    <message>
        <source>a value map needs both the local attribute name and the local value</source>
        <translation>bir değer eşleştirmesi hem yerel özellik adını hem yerel değeri ister</translation>
    </message>
    <message>
        <source>N11 category id must be a number (got {value})</source>
        <translation>N11 kategori kimliği bir sayı olmalı (verilen: {value})</translation>
    </message>
    <message>
        <source>N11 attribute id must be a number (got {value})</source>
        <translation>N11 özellik kimliği bir sayı olmalı (verilen: {value})</translation>
    </message>
    <message>
        <source>N11 value id must be a number (got {value})</source>
        <translation>N11 değer kimliği bir sayı olmalı (verilen: {value})</translation>
    </message>
    <message>
        <source>N11 attribute {id} is unknown — run Category Attribute and Values first</source>
        <translation>N11 özelliği {id} bilinmiyor — önce Kategori Özellikleri ve Değerleri&apos;ni çalıştırın</translation>
    </message>
    <message>
        <source>N11 attribute {id} has no values loaded — run Category Attribute and Values first</source>
        <translation>N11 özelliği {id} için değer yüklenmemiş — önce Kategori Özellikleri ve Değerleri&apos;ni çalıştırın</translation>
    </message>
    <message>
        <source>{attribute} does not accept free text on N11 — choose one of its values</source>
        <translation>{attribute} N11&apos;de serbest metin kabul etmez — değerlerinden birini seçin</translation>
    </message>
    <message>
        <source>{n} bad row(s); nothing changed</source>
        <translation>{n} hatalı satır; hiçbir şey değişmedi</translation>
    </message>
    <message>
        <source>{n} row(s): {n1} penalty(ies) lifted, {n2} failed integration(s) deleted, {n3} version date(s) bumped</source>
        <translation>{n} satır: {n1} ceza kaldırıldı, {n2} başarısız entegrasyon silindi, {n3} sürüm tarihi güncellendi</translation>
    </message>
    <message>
        <source>same name</source>
        <translation>aynı ad</translation>
    </message>
    <message>
        <source>free text</source>
        <translation>serbest metin</translation>
    </message>
    <message>
        <source>mapped here</source>
        <translation>burada eşleştirildi</translation>
    </message>
    <message>
        <source>mapped globally</source>
        <translation>genel olarak eşleştirildi</translation>
    </message>
    <message>
        <source>{detail} (same value name)</source>
        <translation>{detail} (aynı değer adı)</translation>
    </message>
    <message>
        <source>{detail} — not in N11&apos;s list</source>
        <translation>{detail} — N11&apos;in listesinde yok</translation>
    </message>
    <message>
        <source>attribute not offered</source>
        <translation>özellik sunulmuyor</translation>
    </message>
    <message>
        <source>not in N11&apos;s list — map it</source>
        <translation>N11&apos;in listesinde yok — eşleştirin</translation>
    </message>
    <message>
        <source>free text: {text}</source>
        <translation>serbest metin: {text}</translation>
    </message>
    <message>
        <source>value {id}</source>
        <translation>değer {id}</translation>
    </message>
    <message>
        <source>Penalized: {detail}</source>
        <translation>Cezalı: {detail}</translation>
    </message>
    <message>
        <source>Fix the cause, then lift the penalty (Penalty box → Update by uploading a file).</source>
        <translation>Nedeni düzeltin, sonra cezayı kaldırın (Ceza Kutusu → Dosya yükleyerek güncelle).</translation>
    </message>
    <message>
        <source>Add a price for the product.</source>
        <translation>Ürüne bir fiyat ekleyin.</translation>
    </message>
    <message>
        <source>Price is 0</source>
        <translation>Fiyat 0</translation>
    </message>
    <message>
        <source>Set a price above 0.</source>
        <translation>0&apos;dan büyük bir fiyat girin.</translation>
    </message>
    <message>
        <source>No stock</source>
        <translation>Stok yok</translation>
    </message>
    <message>
        <source>Add stock for the product.</source>
        <translation>Ürüne stok ekleyin.</translation>
    </message>
    <message>
        <source>No N11 category</source>
        <translation>N11 kategorisi yok</translation>
    </message>
    <message>
        <source>Map the product&apos;s category in Categories &amp; Mapping.</source>
        <translation>Ürünün kategorisini Kategori Eşleştirme&apos;de eşleştirin.</translation>
    </message>
    <message>
        <source>No image</source>
        <translation>Görsel yok</translation>
    </message>
    <message>
        <source>Add at least one https image.</source>
        <translation>En az bir https görseli ekleyin.</translation>
    </message>
    <message>
        <source>Not sent to N11 yet</source>
        <translation>Henüz N11&apos;e gönderilmedi</translation>
    </message>
    <message>
        <source>Send it (Products → Send selected) or wait for Product Create.</source>
        <translation>Gönderin (Ürünler → Seçilenleri gönder) ya da Ürün Oluşturma&apos;yı bekleyin.</translation>
    </message>
    <message>
        <source>Rejected by N11: {reject}</source>
        <translation>N11 reddetti: {reject}</translation>
    </message>
    <message>
        <source>no reason given</source>
        <translation>gerekçe verilmedi</translation>
    </message>
    <message>
        <source>Fix what N11 says, then resend.</source>
        <translation>N11&apos;in söylediğini düzeltin, sonra yeniden gönderin.</translation>
    </message>
    <message>
        <source>Approval happens on N11&apos;s side.</source>
        <translation>Onay N11 tarafında yapılır.</translation>
    </message>
    <message>
        <source>Suspended on N11</source>
        <translation>N11&apos;de askıya alındı</translation>
    </message>
    <message>
        <source>Resume selling (Product Update with status Active).</source>
        <translation>Satışa devam edin (Active durumuyla Ürün Güncelleme).</translation>
    </message>
    <message>
        <source>Out of stock on N11</source>
        <translation>N11&apos;de stokta yok</translation>
    </message>
    <message>
        <source>Send the stock (Stock flow).</source>
        <translation>Stoku gönderin (Stok akışı).</translation>
    </message>
    <message>
        <source>N11 status {status}</source>
        <translation>N11 durumu {status}</translation>
    </message>
    <message>
        <source>Check the product on N11.</source>
        <translation>Ürünü N11&apos;de kontrol edin.</translation>
    </message>
    <message>
        <source>price+stock</source>
        <translation>fiyat+stok</translation>
    </message>
    <message>
        <source>cannot read: no such file</source>
        <translation>okunamadı: böyle bir dosya yok</translation>
    </message>
    <message>
        <source>cannot read: {detail}</source>
        <translation>okunamadı: {detail}</translation>
    </message>
    <message>
        <source>is a folder, not a file</source>
        <translation>bir klasör, dosya değil</translation>
    </message>
    <message>
        <source>is not a regular file</source>
        <translation>normal bir dosya değil</translation>
    </message>
    <message>
        <source>is {n} KB; at most {limit} KB</source>
        <translation>{n} KB; en fazla {limit} KB olabilir</translation>
    </message>
    <message>
        <source>is over {n} KB</source>
        <translation>{n} KB&apos;tan büyük</translation>
    </message>
    <message>
        <source>JSON nested too deeply</source>
        <translation>JSON çok derin iç içe</translation>
    </message>
    <message>
        <source>must be a whole number, not {value}</source>
        <translation>tam sayı olmalı, {value} değil</translation>
    </message>
    <message>
        <source>must be at least {low} (got {value})</source>
        <translation>en az {low} olmalı (verilen: {value})</translation>
    </message>
    <message>
        <source>must be at most {high} (got {value})</source>
        <translation>en fazla {high} olmalı (verilen: {value})</translation>
    </message>
    <message>
        <source>must have at most {n} digits</source>
        <translation>en fazla {n} basamaklı olmalı</translation>
    </message>
    <message>
        <source>must be a number, not {value}</source>
        <translation>bir sayı olmalı, {value} değil</translation>
    </message>
    <message>
        <source>is empty (a whole number is needed)</source>
        <translation>boş (bir tam sayı gerekli)</translation>
    </message>
    <message>
        <source>is {n} characters long (at most {limit})</source>
        <translation>{n} karakter uzunluğunda (en fazla {limit})</translation>
    </message>
    <message>
        <source>contains a NUL byte (the file is binary or damaged)</source>
        <translation>bir NUL baytı içeriyor (dosya ikili ya da bozuk)</translation>
    </message>
    <message>
        <source>must be an http(s) URL like https://api.n11.com/ws/, got {value}</source>
        <translation>https://api.n11.com/ws/ gibi bir http(s) adresi olmalı, verilen: {value}</translation>
    </message>
    <message>
        <source>must not contain spaces or control characters (line breaks), got {value}</source>
        <translation>boşluk veya kontrol karakteri (satır sonu) içeremez, verilen: {value}</translation>
    </message>
    <message>
        <source>must not contain a user name or password</source>
        <translation>kullanıcı adı veya parola içeremez</translation>
    </message>
    <message>
        <source>&apos;{value}&apos; must be between {low} and {high}</source>
        <translation>&apos;{value}&apos; {low} ile {high} arasında olmalı</translation>
    </message>
    <message>
        <source>Cancellation Reason Type Id must be set to 61–65 (Channel Settings) to send partial cancellations to N11</source>
        <translation>Kısmi iptalleri N11&apos;e göndermek için İptal Nedeni Tür ID&apos;si 61–65 olmalı (Kanal Ayarları)</translation>
    </message>
    <message>
        <source>Category Ids are empty — set the N11 main category ids in Channel Settings</source>
        <translation>Kategori ID&apos;leri boş — N11 ana kategori ID&apos;lerini Kanal Ayarları&apos;nda girin</translation>
    </message>
    <message>
        <source>no local category is mapped to an N11 leaf yet — map categories in Categories &amp; Mapping, then run this again</source>
        <translation>henüz hiçbir yerel kategori bir N11 alt kategorisiyle eşleşmedi — Kategori Eşleştirme&apos;de kategorileri eşleştirin, sonra bunu yeniden çalıştırın</translation>
    </message>
    <message>
        <source>Order Start Date is not set (Channel Settings, dd/MM/yyyy); orders are fetched from that date on</source>
        <translation>Sipariş Başlangıç Tarihi ayarlanmadı (Kanal Ayarları, gg/AA/yyyy); siparişler o tarihten itibaren alınır</translation>
    </message>
    <message>
        <source>order {order} split into {n} packages</source>
        <translation>{order} siparişi {n} pakete bölündü</translation>
    </message>
    <message>
        <source>nothing to split (the flow runs on the OMS web hook)</source>
        <translation>bölünecek bir şey yok (akış OMS web kancasıyla çalışır)</translation>
    </message>
    <message>
        <source>split request names lines {lines} that are not in order {order}</source>
        <translation>bölme isteği {order} siparişinde olmayan {lines} kalemlerini içeriyor</translation>
    </message>
    <message>
        <source>split request for unknown order {order}</source>
        <translation>bilinmeyen {order} siparişi için bölme isteği</translation>
    </message>
    <message>
        <source>{n1} leaf categories, {n2} attributes, {n3} values</source>
        <translation>{n1} alt kategori, {n2} özellik, {n3} değer</translation>
    </message>
    <message>
        <source>{n} nodes</source>
        <translation>{n} düğüm</translation>
    </message>
    <message>
        <source>{n} new</source>
        <translation>{n} yeni</translation>
    </message>
    <message>
        <source>{n} renamed</source>
        <translation>{n} yeniden adlandırıldı</translation>
    </message>
    <message>
        <source>{n} moved</source>
        <translation>{n} taşındı</translation>
    </message>
    <message>
        <source>{n} marked removed</source>
        <translation>{n} kaldırıldı olarak işaretlendi</translation>
    </message>
    <message>
        <source>not found on N11: {ids}</source>
        <translation>N11&apos;de bulunamadı: {ids}</translation>
    </message>
    <message>
        <source>{n} categories compared</source>
        <translation>{n} kategori karşılaştırıldı</translation>
    </message>
    <message>
        <source>no changes</source>
        <translation>değişiklik yok</translation>
    </message>
    <message>
        <source>{n} mapping(s) broken</source>
        <translation>{n} eşleştirme bozuldu</translation>
    </message>
    <message>
        <source>{n} predefined fields ready ({n1} added, {n2} updated)</source>
        <translation>{n} ön tanımlı alan hazır ({n1} eklendi, {n2} güncellendi)</translation>
    </message>
    <message>
        <source>; global rule brand → Marka (1) added</source>
        <translation>; genel kural brand → Marka (1) eklendi</translation>
    </message>
    <message>
        <source>done — {detail}</source>
        <translation>tamamlandı — {detail}</translation>
    </message>
    <message>
        <source>failed — {detail}</source>
        <translation>başarısız — {detail}</translation>
    </message>
    <message>
        <source>partial — {detail}</source>
        <translation>kısmen — {detail}</translation>
    </message>
    <message>
        <source>cancelled — {detail}</source>
        <translation>iptal edildi — {detail}</translation>
    </message>
    <message>
        <source>{n} total</source>
        <translation>toplam {n}</translation>
    </message>
    <message>
        <source>{n} ok</source>
        <translation>{n} başarılı</translation>
    </message>
    <message>
        <source>{n} failed</source>
        <translation>{n} başarısız</translation>
    </message>
    <message>
        <source>{n} penalized</source>
        <translation>{n} cezalı</translation>
    </message>
    <message>
        <source>{n} skipped</source>
        <translation>{n} atlandı</translation>
    </message>
    <message>
        <source>nothing to send</source>
        <translation>gönderilecek bir şey yok</translation>
    </message>
    <message>
        <source>no tasks in flight</source>
        <translation>yolda görev yok</translation>
    </message>
    <message>
        <source>{n} record(s) sent in {n1} task(s) (batch {n2})</source>
        <translation>{n} kayıt {n1} görevle gönderildi (toplu iş {n2})</translation>
    </message>
    <message>
        <source>N11 processed it: {n} ok</source>
        <translation>N11 işledi: {n} başarılı</translation>
    </message>
    <message>
        <source>N11 already processed {n} of the tasks: {n1} ok</source>
        <translation>N11 görevlerin {n} tanesini işledi bile: {n1} başarılı</translation>
    </message>
    <message>
        <source>stopped: {detail}</source>
        <translation>durdu: {detail}</translation>
    </message>
    <message>
        <source>{n} record(s) still in N11&apos;s queue</source>
        <translation>{n} kayıt hâlâ N11&apos;in kuyruğunda</translation>
    </message>
    <message>
        <source>{n} batch(es) finished</source>
        <translation>{n} toplu iş bitti</translation>
    </message>
    <message>
        <source>{n} unacknowledged record(s) resolved via product-query</source>
        <translation>onaylanmamış {n} kayıt product-query ile çözüldü</translation>
    </message>
    <message>
        <source>{n} product(s) left catalog approval</source>
        <translation>{n} ürün katalog onayından çıktı</translation>
    </message>
    <message>
        <source>{n} product(s) left catalog approval on N11</source>
        <translation>{n} ürün N11&apos;de katalog onayından çıktı</translation>
    </message>
    <message>
        <source>{n} written, {n1} waiting for the ERP (mark the orders ERP-reported)</source>
        <translation>{n} yazıldı, {n1} ERP&apos;yi bekliyor (siparişleri ERP&apos;ye bildirildi olarak işaretleyin)</translation>
    </message>
    <message>
        <source>{n} new orders</source>
        <translation>{n} yeni sipariş</translation>
    </message>
    <message>
        <source>{n} not written (see log)</source>
        <translation>{n} yazılamadı (günlüğe bakın)</translation>
    </message>
    <message>
        <source>{n} earlier failures retried</source>
        <translation>önceki {n} hata yeniden denendi</translation>
    </message>
    <message>
        <source>{n} first seen past New recorded as history (not new work; `orders import-history` brings them in)</source>
        <translation>Yeni durumunu geçmişken ilk kez görülen {n} sipariş geçmiş olarak kaydedildi (yeni iş değil; `orders import-history` içeri alır)</translation>
    </message>
    <message>
        <source>late-shipment pass: {n} late orders</source>
        <translation>gecikme taraması: {n} geciken sipariş</translation>
    </message>
    <message>
        <source>Category mapping not found for {category}</source>
        <translation>{category} için kategori eşleştirmesi bulunamadı</translation>
    </message>
    <message>
        <source>task {id}: {status}, {n} of {n1} SKU(s) succeeded</source>
        <translation>görev {id}: {status}, {n1} SKU&apos;dan {n} tanesi başarılı</translation>
    </message>
    <message>
        <source>startup</source>
        <translation>başlangıç</translation>
    </message>
    <message>
        <source>manual</source>
        <translation>elle</translation>
    </message>
    <message>
        <source>start</source>
        <translation>başlangıç</translation>
    </message>
    <message>
        <source>schedule</source>
        <translation>zamanlama</translation>
    </message>
    <message>
        <source>cli</source>
        <translation>komut satırı</translation>
    </message>
    <message>
        <source>webhook</source>
        <translation>web kancası</translation>
    </message>
    <message>
        <source>bench</source>
        <translation>ölçüm</translation>
    </message>
    <message>
        <source>Product {id} not found</source>
        <translation>{id} ürünü bulunamadı</translation>
    </message>
    <message>
        <source>Product has no local category</source>
        <translation>Ürünün yerel kategorisi yok</translation>
    </message>
    <message>
        <source>{detail} — map {what} again</source>
        <translation>{detail} — {what} için yeniden eşleştirin</translation>
    </message>
    <message>
        <source>the product</source>
        <translation>ürünü</translation>
    </message>
    <message>
        <source>N11 category {id} is not in the category tree</source>
        <translation>{id} N11 kategorisi kategori ağacında yok</translation>
    </message>
    <message>
        <source>Attributes of N11 category “{name}” ({id}) are not loaded — run Category Attribute and Values</source>
        <translation>“{name}” ({id}) N11 kategorisinin özellikleri yüklenmedi — Kategori Özellikleri ve Değerleri&apos;ni çalıştırın</translation>
    </message>
    <message>
        <source>VAT rate {rate} is not accepted by N11 (0, 1, 10 or 20)</source>
        <translation>KDV oranı {rate} N11&apos;de kabul edilmez (0, 1, 10 veya 20)</translation>
    </message>
    <message>
        <source>No shipment template — set the N11 shipment template name in the catalog</source>
        <translation>Kargo şablonu yok — N11 kargo şablonu adını katalogda girin</translation>
    </message>
    <message>
        <source>Title must be at least {n} characters on N11 (has {n1})</source>
        <translation>Başlık N11&apos;de en az {n} karakter olmalı ({n1} karakter var)</translation>
    </message>
    <message>
        <source>Description is empty — N11 requires a product description; fill it in the catalog</source>
        <translation>Açıklama boş — N11 ürün açıklaması ister; katalogda doldurun</translation>
    </message>
    <message>
        <source>Image {url} is not an https address</source>
        <translation>{url} görseli bir https adresi değil</translation>
    </message>
    <message>
        <source>Sale price {price} must be greater than 0</source>
        <translation>Satış fiyatı {price} 0&apos;dan büyük olmalı</translation>
    </message>
    <message>
        <source>List price {list} is lower than sale price {price} (N11 needs listPrice ≥ salePrice)</source>
        <translation>Liste fiyatı {list}, satış fiyatı {price} altında (N11 listPrice ≥ salePrice ister)</translation>
    </message>
    <message>
        <source>Currency {currency} is not TL</source>
        <translation>Para birimi {currency}, TL değil</translation>
    </message>
    <message>
        <source>Mandatory attribute {attribute} is missing</source>
        <translation>Zorunlu özellik {attribute} eksik</translation>
    </message>
    <message>
        <source>Value {value} is not in N11&apos;s list for {attribute} (mapped to value {id}, which “{category}” does not offer)</source>
        <translation>{value} değeri {attribute} için N11&apos;in listesinde yok ({id} değerine eşleştirildi, “{category}” bunu sunmuyor)</translation>
    </message>
    <message>
        <source>{attribute} does not accept free text on N11; map {value} to one of its values</source>
        <translation>{attribute} N11&apos;de serbest metin kabul etmez; {value} değerini değerlerinden birine eşleştirin</translation>
    </message>
    <message>
        <source>Value {value} is not in N11&apos;s list for {attribute}</source>
        <translation>{value} değeri {attribute} için N11&apos;in listesinde yok</translation>
    </message>
    <message>
        <source>{name} = “{value}” (free text)</source>
        <translation>{name} = “{value}” (serbest metin)</translation>
    </message>
    <message>
        <source>catalog file: {where}</source>
        <translation>katalog dosyası: {where}</translation>
    </message>
    <message>
        <source>mapping file: {where}</source>
        <translation>eşleştirme dosyası: {where}</translation>
    </message>
    <message>
        <source>settings file: {where}</source>
        <translation>ayar dosyası: {where}</translation>
    </message>
    <message>
        <source>penalty CSV: {where}</source>
        <translation>ceza CSV&apos;si: {where}</translation>
    </message>
    <message>
        <source>no such file</source>
        <translation>böyle bir dosya yok</translation>
    </message>
    <message>
        <source>interval: {value} is not a duration (examples: 90s, 5m, 2h, 1d)</source>
        <translation>aralık: {value} bir süre değil (örnekler: 90s, 5m, 2h, 1d)</translation>
    </message>
    <message>
        <source>interval: {value} is under the minimum of 1 minute</source>
        <translation>aralık: {value} en az 1 dakika sınırının altında</translation>
    </message>
    <message>
        <source>interval: {value} is over the maximum of 7 days</source>
        <translation>aralık: {value} en fazla 7 gün sınırının üstünde</translation>
    </message>
    <message>
        <source>interval: {value} must be a whole number of seconds</source>
        <translation>aralık: {value} tam sayı saniye olmalı</translation>
    </message>
    <message>
        <source>daily time: {value} is not a time HH:MM between 00:00 and 23:59 (Europe/Istanbul)</source>
        <translation>günlük saat: {value} 00:00 ile 23:59 arasında SS:DD biçiminde bir saat değil (Europe/Istanbul)</translation>
    </message>
    <message>
        <source>flow: unknown flow {value}; see `n11-desktop schedule list`</source>
        <translation>akış: bilinmeyen akış {value}; bkz. `n11-desktop schedule list`</translation>
    </message>
    <message>
        <source>flow: {slug} runs on the OMS web hook, it has no timer to change</source>
        <translation>akış: {slug} OMS web kancasıyla çalışır, değiştirilecek bir zamanlayıcısı yok</translation>
    </message>
    <message>
        <source>schedule: give either an interval or a daily time</source>
        <translation>zamanlama: ya bir aralık ya da günlük bir saat verin</translation>
    </message>
    <message>
        <source>the channel settings changed by {who} at {when} UTC after you loaded them ({action}); reload and make your change again</source>
        <translation>kanal ayarları, siz yükledikten sonra {who} tarafından {when} UTC&apos;de değiştirildi ({action}); yeniden yükleyin ve değişikliğinizi tekrar yapın</translation>
    </message>
    <message>
        <source>the mapping of {object} changed by {who} at {when} UTC after you loaded it ({action}); reload and make your change again</source>
        <translation>{object} eşleştirmesi, siz yükledikten sonra {who} tarafından {when} UTC&apos;de değiştirildi ({action}); yeniden yükleyin ve değişikliğinizi tekrar yapın</translation>
    </message>
    <message>
        <source>{n} line(s) of {order} approved; sending to N11</source>
        <translation>{order} siparişinin {n} kalemi onaylandı; N11&apos;e gönderiliyor</translation>
    </message>
    <message>
        <source>{n} line(s) of {order} shipped with {tracking}; sending to N11</source>
        <translation>{order} siparişinin {n} kalemi {tracking} ile kargoya verildi; N11&apos;e gönderiliyor</translation>
    </message>
    <message>
        <source>invoice link attached to {order}; sending to N11</source>
        <translation>fatura bağlantısı {order} siparişine eklendi; N11&apos;e gönderiliyor</translation>
    </message>
    <message>
        <source>{n} unit(s) of {order} cancelled; sending to N11</source>
        <translation>{order} siparişinden {n} adet iptal edildi; N11&apos;e gönderiliyor</translation>
    </message>
    <message>
        <source>{n} order(s) marked as reported to the ERP</source>
        <translation>{n} sipariş ERP&apos;ye bildirildi olarak işaretlendi</translation>
    </message>
    <message>
        <source>order {order}: select at least one line</source>
        <translation>{order} siparişi: en az bir kalem seçin</translation>
    </message>
    <message>
        <source>order {order}: some selected lines do not belong to it</source>
        <translation>{order} siparişi: seçilen kalemlerin bazıları bu siparişe ait değil</translation>
    </message>
    <message>
        <source>order {order}: line {line} is {name}, only lines waiting for approval can be approved</source>
        <translation>{order} siparişi: {line} kalemi {name}; yalnızca onay bekleyen kalemler onaylanabilir</translation>
    </message>
    <message>
        <source>order {order}: line {line} is {name} and cannot be shipped (statuses never go backwards)</source>
        <translation>{order} siparişi: {line} kalemi {name} ve kargoya verilemez (durumlar asla geri gitmez)</translation>
    </message>
    <message>
        <source>order {order}: line {line} is {name}; only lines not yet shipped can be cancelled</source>
        <translation>{order} siparişi: {line} kalemi {name}; yalnızca henüz kargoya verilmemiş kalemler iptal edilebilir</translation>
    </message>
    <message>
        <source>order {order}: line {line}: quantity to cancel must be 1–{n} (got {value})</source>
        <translation>{order} siparişi: {line} kalemi: iptal edilecek adet 1–{n} olmalı (verilen: {value})</translation>
    </message>
    <message>
        <source>order #{id} does not exist</source>
        <translation>#{id} numaralı sipariş yok</translation>
    </message>
    <message>
        <source>tracking number must be 1–100 characters without spaces</source>
        <translation>takip numarası boşluksuz 1–100 karakter olmalı</translation>
    </message>
    <message>
        <source>invoice date and time {value} is not like 31/01/2026 14:30</source>
        <translation>fatura tarihi ve saati {value}, 31/01/2026 14:30 biçiminde değil</translation>
    </message>
    <message>
        <source>invoice link must be an https:// address (N11 accepts https PDF/PNG/JPEG links)</source>
        <translation>fatura bağlantısı bir https:// adresi olmalı (N11 https PDF/PNG/JPEG bağlantılarını kabul eder)</translation>
    </message>
    <message>
        <source>invoice link is longer than 2048 characters</source>
        <translation>fatura bağlantısı 2048 karakterden uzun</translation>
    </message>
    <message>
        <source>micro-export order: N11 needs the invoice number and the invoice date and time with the link</source>
        <translation>mikro ihracat siparişi: N11 bağlantıyla birlikte fatura numarasını ve fatura tarih-saatini ister</translation>
    </message>
    <message>
        <source>choose at least one line and a quantity to cancel</source>
        <translation>iptal için en az bir kalem ve bir adet seçin</translation>
    </message>
    <message>
        <source>give at least one order number</source>
        <translation>en az bir sipariş numarası verin</translation>
    </message>
    <message>
        <source>order {order} not found</source>
        <translation>{order} siparişi bulunamadı</translation>
    </message>
    <message>
        <source>{n} orders not found ({shown}); nothing was marked</source>
        <translation>{n} sipariş bulunamadı ({shown}); hiçbiri işaretlenmedi</translation>
    </message>
    <message>
        <source>{file}: file not found</source>
        <translation>{file}: dosya bulunamadı</translation>
    </message>
    <message>
        <source>{file}: not a UTF-8 text file</source>
        <translation>{file}: UTF-8 metin dosyası değil</translation>
    </message>
    <message>
        <source>{file}: no order numbers in the file</source>
        <translation>{file}: dosyada sipariş numarası yok</translation>
    </message>
    <message>
        <source>waiting to be sent to N11</source>
        <translation>N11&apos;e gönderilmeyi bekliyor</translation>
    </message>
    <message>
        <source>a store needs a name</source>
        <translation>mağazanın bir adı olmalı</translation>
    </message>
    <message>
        <source>store name {store} is too long (at most {n} characters)</source>
        <translation>{store} mağaza adı çok uzun (en çok {n} karakter)</translation>
    </message>
    <message>
        <source>store name {store} is not usable: use letters, digits, &apos;-&apos;, &apos;_&apos; and &apos;.&apos;, starting with a letter or digit (e.g. shop-a)</source>
        <translation>{store} mağaza adı kullanılamaz: harf, rakam, &apos;-&apos;, &apos;_&apos; ve &apos;.&apos; kullanın; ad bir harf ya da rakamla başlasın (ör. magaza-a)</translation>
    </message>
    <message>
        <source>a store named {store} already exists</source>
        <translation>{store} adlı bir mağaza zaten var</translation>
    </message>
    <message>
        <source>no store named {store} (known: {known}; `n11-desktop stores add NAME` adds one)</source>
        <translation>{store} adlı mağaza yok (bilinenler: {known}; `n11-desktop stores add AD` bir mağaza ekler)</translation>
    </message>
    <message>
        <source>store {store} already uses {db}; two stores never share a database</source>
        <translation>{store} mağazası {db} veritabanını zaten kullanıyor; iki mağaza hiçbir zaman aynı veritabanını paylaşmaz</translation>
    </message>
    <message>
        <source>store {store} is in use: {who} already drives this database; only one scheduler may run per database. Stop it first (its lease goes stale {n} s after it stops).</source>
        <translation>{store} mağazası kullanımda: bu veritabanını {who} çalıştırıyor; bir veritabanında yalnızca bir zamanlayıcı çalışabilir. Önce onu durdurun (durduktan {n} sn sonra kilidi geçersiz olur).</translation>
    </message>
    <message>
        <source>PostgreSQL database {label}</source>
        <translation>PostgreSQL veritabanı {label}</translation>
    </message>
    <message>
        <source>PostgreSQL database {label} (schema {schema})</source>
        <translation>PostgreSQL veritabanı {label} (şema {schema})</translation>
    </message>
    <message>
        <source>cannot open PostgreSQL database {label}: {reason}</source>
        <translation>PostgreSQL veritabanı {label} açılamıyor: {reason}</translation>
    </message>
    <message>
        <source>{database} holds the tables of another application ({tables}); n11-desktop opens only its own schema and left it untouched (choose another database or schema: ?options=-csearch_path%3Dname)</source>
        <translation>{database} başka bir uygulamanın tablolarını içeriyor ({tables}); n11-desktop yalnızca kendi şemasını açar ve ona dokunmadı (başka bir veritabanı ya da şema seçin: ?options=-csearch_path%3Dname)</translation>
    </message>
    <message>
        <source>{database} holds the tables of another application ({tables} and {n} more); n11-desktop opens only its own schema and left it untouched (choose another database or schema: ?options=-csearch_path%3Dname)</source>
        <translation>{database} başka bir uygulamanın tablolarını içeriyor ({tables} ve {n} tane daha); n11-desktop yalnızca kendi şemasını açar ve ona dokunmadı (başka bir veritabanı ya da şema seçin: ?options=-csearch_path%3Dname)</translation>
    </message>
    <message>
        <source>{database} was written by a newer n11-desktop (schema {revision}); upgrade the app to open it</source>
        <translation>{database} daha yeni bir n11-desktop tarafından yazılmış (şema {revision}); açmak için uygulamayı güncelleyin</translation>
    </message>
    <message>
        <source>the search_path names no schema to create the tables in</source>
        <translation>search_path tabloların oluşturulacağı bir şema belirtmiyor</translation>
    </message>
    <message>
        <source>PostgreSQL needs the psycopg package: pip install &apos;psycopg[binary]&apos;</source>
        <translation>PostgreSQL için psycopg paketi gerekiyor: pip install &apos;psycopg[binary]&apos;</translation>
    </message>
    <message>
        <source>{url} is not a database URL (expected postgresql+psycopg://user:password@host:port/dbname)</source>
        <translation>{url} bir veritabanı adresi değil (beklenen: postgresql+psycopg://user:password@host:port/dbname)</translation>
    </message>
    <message>
        <source>{driver}:// databases are not supported; use an SQLite file path or postgresql+psycopg://user:password@host:port/dbname</source>
        <translation>{driver}:// veritabanları desteklenmiyor; bir SQLite dosya yolu ya da postgresql+psycopg://user:password@host:port/dbname kullanın</translation>
    </message>
    <message>
        <source>{url} names no database (postgresql+psycopg://user@host/DBNAME)</source>
        <translation>{url} bir veritabanı adı belirtmiyor (postgresql+psycopg://user@host/DBNAME)</translation>
    </message>
    <message>
        <source>{database} is a folder, not a database file</source>
        <translation>{database} bir klasör, veritabanı dosyası değil</translation>
    </message>
    <message>
        <source>cannot read database file {database}: {reason}</source>
        <translation>veritabanı dosyası {database} okunamıyor: {reason}</translation>
    </message>
    <message>
        <source>{database} is not an n11-desktop database (not an SQLite file)</source>
        <translation>{database} bir n11-desktop veritabanı değil (SQLite dosyası değil)</translation>
    </message>
    <message>
        <source>{database} cannot be opened as a database: {reason}</source>
        <translation>{database} veritabanı olarak açılamıyor: {reason}</translation>
    </message>
    <message>
        <source>{database} belongs to another application (SQLite application id {appid}); n11-desktop opens only its own database files and left it untouched</source>
        <translation>{database} başka bir uygulamaya ait (SQLite uygulama kimliği {appid}); n11-desktop yalnızca kendi veritabanı dosyalarını açar ve bu dosyaya dokunmadı</translation>
    </message>
    <message>
        <source>{database} is the database of another application (tables {tables}); n11-desktop opens only its own database files and left it untouched</source>
        <translation>{database} başka bir uygulamanın veritabanı (tablolar: {tables}); n11-desktop yalnızca kendi veritabanı dosyalarını açar ve bu dosyaya dokunmadı</translation>
    </message>
    <message>
        <source>{database} is the database of another application (tables {tables} and {n} more); n11-desktop opens only its own database files and left it untouched</source>
        <translation>{database} başka bir uygulamanın veritabanı (tablolar: {tables} ve {n} tane daha); n11-desktop yalnızca kendi veritabanı dosyalarını açar ve bu dosyaya dokunmadı</translation>
    </message>
    <message>
        <source>{database} is damaged (integrity check: {reason})</source>
        <translation>{database} bozuk (bütünlük denetimi: {reason})</translation>
    </message>
    <message>
        <source>{database} cannot be read: {reason}</source>
        <translation>{database} okunamıyor: {reason}</translation>
    </message>
    <message>
        <source>cannot read {database}: {reason}</source>
        <translation>{database} okunamıyor: {reason}</translation>
    </message>
    <message>
        <source>%1 s</source>
        <translation>%1 sn</translation>
    </message>
    <message>
        <source>%1 min</source>
        <translation>%1 dk</translation>
    </message>
    <message>
        <source>%1 h</source>
        <translation>%1 sa</translation>
    </message>
    <message>
        <source>%1 days</source>
        <translation>%1 gün</translation>
    </message>
    <message>
        <source>N11 data: never synced (run N11 State Sync)</source>
        <translation>N11 verileri: hiç eşitlenmedi (N11 Durum Eşitleme&apos;yi çalıştırın)</translation>
    </message>
    <message>
        <source>N11 data as of %1 (%2 ago)</source>
        <translation>N11 verileri %1 itibarıyla (%2 önce)</translation>
    </message>
    <message>
        <source> — older than two sync periods (%1); check N11 State Sync</source>
        <translation> — iki eşitleme süresinden (%1) eski; N11 Durum Eşitleme&apos;yi kontrol edin</translation>
    </message>
    <message>
        <source>; a sync is part-way (next page %1)</source>
        <translation>; bir eşitleme yarıda (sonraki sayfa %1)</translation>
    </message>
    <message>
        <source>save</source>
        <translation>kaydetme</translation>
    </message>
    <message>
        <source>activate</source>
        <translation>etkinleştirme</translation>
    </message>
    <message>
        <source>deactivate</source>
        <translation>devre dışı bırakma</translation>
    </message>
    <message>
        <source>import</source>
        <translation>içe aktarma</translation>
    </message>
    <message>
        <source>category added</source>
        <translation>kategori eklendi</translation>
    </message>
    <message>
        <source>category updated</source>
        <translation>kategori güncellendi</translation>
    </message>
    <message>
        <source>category removed</source>
        <translation>kategori kaldırıldı</translation>
    </message>
    <message>
        <source>attribute rule added</source>
        <translation>özellik kuralı eklendi</translation>
    </message>
    <message>
        <source>attribute rule updated</source>
        <translation>özellik kuralı güncellendi</translation>
    </message>
    <message>
        <source>attribute rule removed</source>
        <translation>özellik kuralı kaldırıldı</translation>
    </message>
    <message>
        <source>value map added</source>
        <translation>değer eşleştirmesi eklendi</translation>
    </message>
    <message>
        <source>value map updated</source>
        <translation>değer eşleştirmesi güncellendi</translation>
    </message>
    <message>
        <source>value map removed</source>
        <translation>değer eşleştirmesi kaldırıldı</translation>
    </message>
    <message>
        <source>default added</source>
        <translation>varsayılan eklendi</translation>
    </message>
    <message>
        <source>default updated</source>
        <translation>varsayılan güncellendi</translation>
    </message>
    <message>
        <source>default removed</source>
        <translation>varsayılan kaldırıldı</translation>
    </message>
    <message>
        <source>term set</source>
        <translation>terim ayarlandı</translation>
    </message>
    <message>
        <source>term removed</source>
        <translation>terim kaldırıldı</translation>
    </message>
    <message>
        <source>schedule set</source>
        <translation>zamanlama ayarlandı</translation>
    </message>
    <message>
        <source>schedule reset</source>
        <translation>zamanlama sıfırlandı</translation>
    </message>
    <message>
        <source>mapping import</source>
        <translation>eşleştirme içe aktarma</translation>
    </message>
    <message>
        <source>channel</source>
        <translation>kanal</translation>
    </message>
    <message>
        <source>category</source>
        <translation>kategori</translation>
    </message>
    <message>
        <source>attribute</source>
        <translation>özellik</translation>
    </message>
    <message>
        <source>value</source>
        <translation>değer</translation>
    </message>
    <message>
        <source>default</source>
        <translation>varsayılan</translation>
    </message>
    <message>
        <source>term</source>
        <translation>terim</translation>
    </message>
    <message>
        <source>mapping</source>
        <translation>eşleştirme</translation>
    </message>
    <message>
        <source>file</source>
        <translation>dosya</translation>
    </message>
    <message>
        <source>settings</source>
        <translation>ayarlar</translation>
    </message>
    <message>
        <source>schedules</source>
        <translation>zamanlamalar</translation>
    </message>
</context>
<context>
    <name>schedule</name>
    <message>
        <source>every hour</source>
        <extracomment>template fields that hold a number (matched as one, so &quot;{n} created&quot; inside a longer line takes the number only) template fields that hold another core message (translated in turn) the parts core.flows.base.Schedule.describe() joins with &quot;, &quot; (English; %1 is a number, a time or a flow)</extracomment>
        <translation>her saat</translation>
    </message>
    <message>
        <source>every minute</source>
        <translation>her dakika</translation>
    </message>
    <message>
        <source>every %1 h</source>
        <translation>her %1 saatte</translation>
    </message>
    <message>
        <source>every %1 min</source>
        <translation>her %1 dakikada</translation>
    </message>
    <message>
        <source>every %1 s</source>
        <translation>her %1 sn&apos;de</translation>
    </message>
    <message>
        <source>daily %1 (Istanbul)</source>
        <translation>her gün %1 (İstanbul)</translation>
    </message>
    <message>
        <source>daily %1</source>
        <translation>her gün %1</translation>
    </message>
    <message>
        <source>after task results change products</source>
        <translation>görev sonuçları ürünleri değiştirince</translation>
    </message>
    <message>
        <source>after %1</source>
        <translation>%1 sonrasında</translation>
    </message>
    <message>
        <source>on activation</source>
        <translation>etkinleştirilince</translation>
    </message>
    <message>
        <source>on the OMS web hook</source>
        <translation>OMS web kancasıyla</translation>
    </message>
    <message>
        <source>manual</source>
        <translation>elle</translation>
    </message>
    <message>
        <source>(late shipments)</source>
        <translation>(geciken kargolar)</translation>
    </message>
</context>
<context>
    <name>send_dialog</name>
    <message>
        <source>Send selected…</source>
        <translation>Seçilenleri gönder…</translation>
    </message>
    <message>
        <source>Preview field by field what changes on N11 for the selected products, then send them now</source>
        <translation>Seçili ürünler için N11&apos;de nelerin değişeceğini alan alan önizleyin, sonra hemen gönderin</translation>
    </message>
    <message>
        <source>Penalty box…</source>
        <translation>Ceza Kutusu…</translation>
    </message>
    <message>
        <source>Records held after errors (seed §8): lift penalties, delete failed integrations, bump version dates from a CSV</source>
        <translation>Hatalardan sonra bekletilen kayıtlar: cezaları kaldırın, başarısız entegrasyonları silin, bir CSV&apos;den sürüm tarihlerini ileri alın</translation>
    </message>
</context>
</TS>
