<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="tr_TR" sourcelanguage="en">
<context>
    <name>CancellationMapEditor</name>
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
        <source>off</source>
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
        <source>off — another n11-desktop drives this database</source>
        <translation>kapalı — bu veritabanını başka bir n11-desktop yönetiyor</translation>
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
        <source>&amp;Quit</source>
        <translation>Çı&amp;kış</translation>
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
        <source>Could not save the preferences: %1</source>
        <translation>Tercihler kaydedilemedi: %1</translation>
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
</context>
</TS>
